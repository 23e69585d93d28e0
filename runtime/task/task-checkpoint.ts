import type { OperatorSnapshot } from '../state/state-snapshot.ts';

/** A subtask's state at a checkpoint: one snapshot per operator of its chain. */
export interface TaskCheckpointAck {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly checkpointId: number;
  readonly snapshots: readonly OperatorSnapshot[];
  /** Time the task's inputs were held back for barrier alignment (0 without alignment). */
  readonly alignmentDurationMs: number;
}

/** How a checkpoint is triggered at a task (by the coordinator at sources, or directly at ended tasks). */
export interface CheckpointTriggerOptions {
  readonly savepoint?: boolean;
  /** Stop-with-savepoint: a source emits nothing after this checkpoint's barrier. */
  readonly stop?: boolean;
}
