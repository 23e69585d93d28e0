import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';
import { functionOf, type ReduceFunction } from '../api/functions.ts';
import type { ValueState } from '../state/keyed-state.ts';
import { ValueStateDescriptor } from '../state/state-descriptor.ts';

/** Rolling reduce per key (also sum/min/max): emits the new aggregate for every record. */
export class KeyedReduceOperator<T> extends AbstractUdfStreamOperator {
  private readonly fn: (a: T, b: T) => T;
  private state!: ValueState<T>;
  constructor(fn: ReduceFunction<T>) {
    super(fn);
    this.fn = functionOf(fn as never, 'reduce');
  }
  override open(): void {
    this.state = this.keyed!.getState(new ValueStateDescriptor<unknown>('reduce')) as ValueState<T>;
    super.open();
  }
  processElement(value: unknown, timestamp: number): void {
    this.setKeyOf(value);
    const current = this.state.value();
    const next = current === undefined ? (value as T) : this.fn(current, value as T);
    this.state.update(next);
    this.output.collect(next, timestamp);
  }
}
