import { functionOf, type FilterFunction } from '../functions/functions.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';

export class FilterOperator<T> extends AbstractUdfStreamOperator {
  private readonly fn: (value: T) => boolean;
  constructor(fn: FilterFunction<T>) {
    super(fn);
    this.fn = functionOf(fn as never, 'filter');
  }
  processElement(value: unknown, timestamp: number): void {
    if (this.fn(value as T)) this.output.collect(value, timestamp);
  }
}
