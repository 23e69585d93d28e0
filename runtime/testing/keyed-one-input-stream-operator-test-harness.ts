import type { Key, KeySelector } from '../core/key.ts';
import type { OneInputStreamOperator } from '../operators/stream-operator.ts';
import { OneInputStreamOperatorTestHarness, type OperatorTestHarnessOptions } from './one-input-stream-operator-test-harness.ts';

/**
 * Drives one operator on a keyed stream, as Flink's `KeyedOneInputStreamOperatorTestHarness`: each
 * record's key (from `keySelector`) selects the keyed state and timers it sees.
 */
export class KeyedOneInputStreamOperatorTestHarness<K extends Key, IN, OUT> extends OneInputStreamOperatorTestHarness<IN, OUT> {
  constructor(operator: OneInputStreamOperator, keySelector: KeySelector<IN, K>, options: Omit<OperatorTestHarnessOptions, 'keySelector'> = {}) {
    super(operator, { ...options, keySelector: keySelector as KeySelector<unknown, Key> });
  }
}
