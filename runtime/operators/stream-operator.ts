import type { Key, KeySelector } from '../functions/functions.ts';
import type { KeyGroupRange } from '../core/key-group.ts';
import type { OperatorSnapshot, OperatorStateRestore } from '../state/state-snapshot.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';
import type { Output, RecordTarget } from './output.ts';

/** Everything an operator learns about where it runs, given once in `setup`. */
export interface OperatorContext {
  readonly operatorId: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly taskName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
  /**
   * The job takes checkpoints: transactional sinks commit when a checkpoint completes, and at end of
   * input the task's last state goes into a final checkpoint before it finishes.
   */
  readonly checkpointing: boolean;
  readonly keyGroupRange: KeyGroupRange;
  /** Set for operators on a keyed stream: selects the key of each input record (of the first input of a two-input operator). */
  readonly keySelector: KeySelector<unknown, Key> | undefined;
  /** Set for two-input operators on keyed streams: selects the key of each record of the second input. */
  readonly keySelector2?: KeySelector<unknown, Key> | undefined;
  readonly output: Output;
  readonly time: ProcessingTimeService;
}

/**
 * A stream operator, with Flink's lifecycle: setup → initializeState → open → (records, time and
 * snapshotState)* → finish (end of input) → close. How records arrive depends on the number of
 * inputs: `OneInputStreamOperator` or `TwoInputStreamOperator`. Records arrive as (value,
 * timestamp) in plain calls; an operator emits through its output in the same call.
 */
export interface StreamOperator {
  setup(context: OperatorContext): void;
  /** Restores state (possibly written at another parallelism); called before `open`, always. */
  initializeState(restore: OperatorStateRestore): void;
  open(): void;
  /**
   * End of input: emit what is buffered. Later elements are not expected. A returned promise (a sink
   * flushing to remote storage) is awaited before the next operator of the chain finishes.
   */
  finish(): void | Promise<void>;
  /** Releases resources; after finish, or on cancellation/failure. */
  close(): void;
  /** State at checkpoint `checkpointId`, taken between two records. */
  snapshotState(checkpointId: number): OperatorSnapshot;
  /**
   * Checkpoint `checkpointId` completed. A returned promise (a sink committing to remote storage) is
   * awaited before the task exits after its final checkpoint; its rejection fails the task.
   */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  /**
   * An operator that hands records to something slower than the task (a sink's upload) says when it
   * can take more; while it cannot, the task processes no input, as when an output is backpressured.
   * Absent: always available.
   */
  isAvailable?(): boolean;
  availability?(): Promise<void>;
  /** Records received from the task's input (counted by the task when the operator heads a chain). */
  recordsIn: number;
}

/**
 * An operator with one input (a source has none and takes this shape too): `processElement` per
 * record, `processWatermark` when the input's watermark advanced, `processIdle` when it became idle
 * or active. It may be chained: the previous operator's output calls it directly.
 */
export interface OneInputStreamOperator extends StreamOperator, RecordTarget {}

/**
 * An operator with two logical inputs (connect, joins), as Flink's TwoInputStreamOperator. The task
 * calls the `1` methods for records and time of the first input, the `2` methods for the second;
 * each input's watermark is already the minimum over its channels, and combining the two is the
 * operator's job. `endInput(n)` says input n ended (all its channels), before the other one may have.
 * A two-input operator always heads its task: it is never chained to its inputs.
 */
export interface TwoInputStreamOperator extends StreamOperator {
  processElement1(value: unknown, timestamp: number): void;
  processElement2(value: unknown, timestamp: number): void;
  processWatermark1(timestamp: number): void;
  processWatermark2(timestamp: number): void;
  processIdle1(idle: boolean): void;
  processIdle2(idle: boolean): void;
  endInput(input: 1 | 2): void;
}

export function isTwoInputOperator(operator: StreamOperator): operator is TwoInputStreamOperator {
  return typeof (operator as TwoInputStreamOperator).processElement1 === 'function';
}

/** `operator` as a one-input operator; a clear error when a two-input one stands where records arrive on one input. */
export function asOneInput(operator: StreamOperator, name: string): OneInputStreamOperator {
  if (isTwoInputOperator(operator) || typeof (operator as OneInputStreamOperator).processElement !== 'function') {
    throw new Error(`operator "${name}" does not take records on one input`);
  }
  return operator as OneInputStreamOperator;
}
