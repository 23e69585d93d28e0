import type { Key, KeySelector } from '../core/key.ts';
import type { KeyedProcessFunction, ProcessFunction } from '../functions/functions.ts';
import { ProcessOperator } from '../operators/process-operator.ts';
import type { OperatorSnapshot } from '../state/state-snapshot.ts';
import { KeyedOneInputStreamOperatorTestHarness } from './keyed-one-input-stream-operator-test-harness.ts';
import { OneInputStreamOperatorTestHarness, type OperatorTestHarnessOptions } from './one-input-stream-operator-test-harness.ts';

export interface ProcessFunctionHarnessOptions extends Omit<OperatorTestHarnessOptions, 'keySelector'> {
  /** Snapshots of an earlier harness of the same function to start from. */
  readonly restore?: OperatorSnapshot | readonly OperatorSnapshot[];
}

/**
 * Open harnesses around a process function, as Flink's `ProcessFunctionTestHarnesses`: the function
 * runs in the same operator a job would run it in (`DataStream.process`, `KeyedStream.process`).
 */
export const ProcessFunctionTestHarnesses = {
  forProcessFunction<I, O>(fn: ProcessFunction<I, O>, options: ProcessFunctionHarnessOptions = {}): OneInputStreamOperatorTestHarness<I, O> {
    return new OneInputStreamOperatorTestHarness<I, O>(new ProcessOperator<never, I, O>(fn), options).open(options.restore);
  },

  forKeyedProcessFunction<K extends Key, I, O>(
    fn: KeyedProcessFunction<K, I, O>,
    keySelector: KeySelector<I, K>,
    options: ProcessFunctionHarnessOptions = {},
  ): KeyedOneInputStreamOperatorTestHarness<K, I, O> {
    return new KeyedOneInputStreamOperatorTestHarness<K, I, O>(new ProcessOperator<K, I, O>(fn), keySelector, options).open(options.restore);
  },
};
