import { functionOf, type MapFunction } from '../functions/functions.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';

export class MapOperator<T, R> extends AbstractUdfStreamOperator {
  private readonly fn: (value: T) => R;
  constructor(fn: MapFunction<T, R>) {
    super(fn);
    this.fn = functionOf(fn as never, 'map');
  }
  processElement(value: unknown, timestamp: number): void {
    this.output.collect(this.fn(value as T), timestamp);
  }
}
