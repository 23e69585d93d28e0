import { functionOf, type Collector, type FlatMapFunction } from '../functions/functions.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

export class FlatMapOperator<T, R> extends AbstractUdfStreamOperator {
  private readonly fn: (value: T, out: Collector<R>) => void;
  private collector!: TimestampedCollector<R>;
  constructor(fn: FlatMapFunction<T, R>) {
    super(fn);
    this.fn = functionOf(fn as never, 'flatMap');
  }
  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    super.open();
  }
  processElement(value: unknown, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn(value as T, this.collector);
  }
}
