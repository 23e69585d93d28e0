import { functionOf, type Key, type ReduceFunction } from '../functions/functions.ts';
import type { HeapKeyedStateBackend } from '../state/heap-keyed-state-backend.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';

/**
 * Rolling reduce per key (also sum/min/max): emits the new aggregate for every record. A hot
 * path, so it reads and writes its state table directly rather than through ValueState.
 */
export class KeyedReduceOperator<T> extends AbstractUdfStreamOperator {
  private readonly fn: (a: T, b: T) => T;
  private table!: Map<Key, unknown>[];
  private backend!: HeapKeyedStateBackend;
  private keyOf!: (value: unknown) => Key;

  constructor(fn: ReduceFunction<T>) {
    super(fn);
    this.fn = functionOf(fn as never, 'reduce');
  }

  override open(): void {
    this.backend = this.keyed!;
    this.table = this.backend.valueTable('reduce');
    this.keyOf = this.ctx.keySelector!;
    super.open();
  }

  processElement(value: unknown, timestamp: number): void {
    const key = this.keyOf(value);
    const state = this.table[this.backend.setCurrentKey(key)]!;
    const current = state.get(key) as T | undefined;
    const next = current === undefined ? (value as T) : this.fn(current, value as T);
    state.set(key, next);
    this.output.collect(next, timestamp);
  }
}
