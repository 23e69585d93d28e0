import type { Key, KeySelector } from '../functions/functions.ts';
import type { KeyGroupRange } from '../core/key-group.ts';
import type { OperatorSnapshot, OperatorStateRestore } from '../state/state-snapshot.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';
import type { Output } from './output.ts';

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
  /** Set for operators on a keyed stream: selects the key of each input record. */
  readonly keySelector: KeySelector<unknown, Key> | undefined;
  readonly output: Output;
  readonly time: ProcessingTimeService;
}

/**
 * A stream operator, with Flink's lifecycle: setup → initializeState → open → (processElement |
 * processWatermark | processIdle | snapshotState)* → finish (end of input) → close. Records arrive
 * as (value, timestamp) in plain calls; an operator emits through its output in the same call.
 */
export interface StreamOperator {
  setup(context: OperatorContext): void;
  /** Restores state (possibly written at another parallelism); called before `open`, always. */
  initializeState(restore: OperatorStateRestore): void;
  open(): void;
  processElement(value: unknown, timestamp: number): void;
  processWatermark(timestamp: number): void;
  processIdle(idle: boolean): void;
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
