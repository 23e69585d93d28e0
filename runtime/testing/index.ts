/**
 * Sluice's testing API for job authors (`sluice/testing`), with no test framework of its own: it
 * works under jest, vitest or node:test alike. Pipelines run in this process on the engine's own
 * executor, operators and state backend; harnesses drive one operator by hand.
 */
export { localEnvironment } from '../cluster/local-environment.ts';
export type { LocalExecutorOptions } from '../cluster/local-executor.ts';
export { executeAndCollect, executeAndCollectRecords } from './execute-and-collect.ts';
export { executeWithFailover, type FailoverOptions, type FailoverResult } from './execute-with-failover.ts';
export { ExactlyOnceCollectSink } from './exactly-once-collect-sink.ts';
export { fromTimedElements, record, watermark, type TimedElement } from './timed-elements.ts';
export { OneInputStreamOperatorTestHarness, type OperatorTestHarnessOptions } from './one-input-stream-operator-test-harness.ts';
export { KeyedOneInputStreamOperatorTestHarness } from './keyed-one-input-stream-operator-test-harness.ts';
export { ProcessFunctionTestHarnesses, type ProcessFunctionHarnessOptions } from './process-function-test-harnesses.ts';
export { ManualProcessingTimeService } from './manual-processing-time-service.ts';
export type { EmittedElement } from './harness-output.ts';
export type { OperatorSnapshot } from '../state/state-snapshot.ts';
