import type { CoFlatMapFunction } from '../functions/co-functions.ts';
import { AbstractTwoInputStreamOperator } from './abstract-two-input-stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/** Runs a CoFlatMapFunction over two connected streams (Flink's CoStreamFlatMap). */
export class CoStreamFlatMap<IN1, IN2, R> extends AbstractTwoInputStreamOperator {
  private collector!: TimestampedCollector<R>;

  constructor(private readonly fn: CoFlatMapFunction<IN1, IN2, R>) {
    super(fn);
  }

  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    super.open();
  }

  processElement1(value: unknown, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.flatMap1(value as IN1, this.collector);
  }

  processElement2(value: unknown, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.flatMap2(value as IN2, this.collector);
  }
}
