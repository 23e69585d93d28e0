import type { Registry } from 'prom-client';
import type { JobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../task/task-deployment-descriptor.ts';
import type { CheckpointingStatistics, SavepointDisposalStatus, SavepointStatus } from '../rest/rest-types.ts';

/**
 * A savepoint disposal started, or refused: `outside` when the path is not a savepoint directory of
 * this job's storage, `in-use` when this run restored from it.
 */
export type SavepointDisposalTrigger = { readonly triggerId: string } | { readonly refused: 'outside' | 'in-use'; readonly message: string };

/** What the JobMaster gives a checkpoint coordinator of one attempt. */
export interface CheckpointCoordinatorContext {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly attempt: number;
  /**
   * Sends the trigger of checkpoint `checkpointId` to every running source subtask (which sends the
   * barrier) and every ENDED subtask (which snapshots without one); a subtask that ends while the
   * checkpoint is in flight, before it acknowledged, is triggered then. `stop`: stop-with-savepoint.
   */
  trigger(checkpointId: number, timestamp: number, options: { readonly savepoint: boolean; readonly stop: boolean }): void;
  /**
   * Tells every subtask of the attempt that checkpoint `checkpointId` completed (sinks commit).
   * True when it was the job's final checkpoint (every subtask had ended when it was triggered, or
   * a stop-with-savepoint): the subtasks exit and the job finishes.
   */
  notifyComplete(checkpointId: number): boolean;
  /** Checkpoint `checkpointId` was aborted: sources stopped by it emit again. */
  notifyAborted(checkpointId: number): void;
  /** Whether every subtask of the attempt is still running or ended (a checkpoint needs all of them). */
  allSubtasksAlive(): boolean;
}

export interface SubtaskCheckpointAck {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly checkpointId: number;
  /** What the TaskManager's checkpoint hook made of the subtask's snapshots. */
  readonly state: unknown;
}

export interface SubtaskCheckpointDecline {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly checkpointId: number;
  readonly reason: string;
}

/** One attempt's checkpoint coordinator, as the JobMaster drives it. */
export interface AttemptCheckpointCoordinator {
  receiveAck(ack: SubtaskCheckpointAck): void;
  receiveDecline(decline: SubtaskCheckpointDecline): void;
  /** Every subtask ended: the final checkpoint is triggered now rather than after the interval. */
  allSubtasksEnded(): void;
  /** The attempt ended (failover, finish, cancel): stop triggering, abort what is pending. */
  stop(): void;
}

/**
 * The seam where checkpointing (issue 4) plugs into the JobMaster. Without it a job runs without
 * checkpoints and every restart starts from the sources' beginning.
 */
export interface JobCheckpointing {
  /** Called once every subtask of an attempt reported RUNNING. */
  createCoordinator(context: CheckpointCoordinatorContext): AttemptCheckpointCoordinator;
  /** Before an attempt deploys: what each subtask restores from (the deploy message's `restore`). */
  restoreFor(graph: JobGraph, attempt: number): Promise<(descriptor: TaskDeploymentDescriptor) => unknown>;
  /**
   * Whether a failed `restoreFor` may succeed later (storage unreachable or timing out): the JobMaster
   * then restarts under its restart strategy; otherwise (bad credentials, missing bucket, nothing
   * usable to restore) the job fails at once with the reason.
   */
  isTransientRestoreFailure(error: unknown): boolean;
  statistics(): CheckpointingStatistics;
  /** POST /savepoints (and /stop, with `stop`): resolves with the trigger id. */
  triggerSavepoint(targetDirectory: string | undefined, stop: boolean): Promise<string>;
  savepointStatus(triggerId: string): SavepointStatus | undefined;
  /** POST /savepoint-disposal: starts deleting one savepoint of this job, or says why not (nothing is deleted then). */
  disposeSavepoint(path: string): SavepointDisposalTrigger;
  savepointDisposalStatus(triggerId: string): SavepointDisposalStatus | undefined;
  /** Checkpoint metrics served with the JobManager's at /metrics. */
  readonly metrics?: Registry;
}
