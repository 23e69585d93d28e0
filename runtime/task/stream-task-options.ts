import type { CheckpointingMode } from '../core/checkpointing-mode.ts';
import type { ReaderEventGateway } from '../operators/source-operator-event.ts';
import type { OperatorStateRestore } from '../state/state-snapshot.ts';
import type { ChannelProvider } from './channel-provider.ts';
import type { TaskCheckpointAck } from './task-checkpoint.ts';

/** How a StreamTask is wired into where it runs (a TaskManager, the LocalExecutor) and tuned. */
export interface StreamTaskOptions {
  readonly channels: ChannelProvider;
  /** State to start from, per operator id (already assigned to this subtask). */
  readonly restore?: (operatorId: string) => OperatorStateRestore | undefined;
  /** A source subtask's events for its source's coordinator (in the JobManager, or beside the tasks in a local run). */
  readonly readerEvents?: ReaderEventGateway;
  readonly onCheckpoint?: (ack: TaskCheckpointAck) => void;
  /**
   * The job takes checkpoints (default false); see OperatorContext.checkpointing. At end of input
   * the task then stays alive in the ended state, taking checkpoints without barriers, until the
   * completion notice of the job's final checkpoint.
   */
  readonly checkpointing?: boolean;
  /** With checkpointing: the task finished its operators and ended its output partitions. */
  readonly onEnded?: () => void;
  /** `exactly-once` (default) aligns barriers of several input channels; `at-least-once` does not. */
  readonly checkpointingMode?: CheckpointingMode;
  /** Records a source emits before yielding to the event loop. */
  readonly sourceBurst?: number;
  /** Input batches processed before yielding to the event loop. */
  readonly batchesPerCycle?: number;
  /** Longest time (ms) a record may wait in a partly filled output batch while the task stays busy. */
  readonly bufferTimeout?: number;
}
