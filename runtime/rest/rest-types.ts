/**
 * The JobManager's REST API, as JSON types. This file is the whole contract between the runtime
 * and the Kubernetes operator: the operator imports nothing else from the runtime. Paths follow
 * Flink's REST API where the concept is the same; a JobManager runs exactly one job.
 *
 *   GET   /healthz                              -> { status: 'ok' }
 *   GET   /jobs                                 -> JobsOverview
 *   GET   /jobs/:jobId                          -> JobDetails
 *   GET   /jobs/:jobId/config                   -> JobConfigInfo
 *   GET   /jobs/:jobId/exceptions               -> JobExceptions
 *   GET   /jobs/:jobId/checkpoints              -> CheckpointingStatistics
 *   POST  /jobs/:jobId/savepoints               SavepointTriggerRequest -> TriggerResponse (202)
 *   POST  /jobs/:jobId/stop                     StopWithSavepointRequest -> TriggerResponse (202)
 *   GET   /jobs/:jobId/savepoints/:triggerId    -> SavepointStatus
 *   PATCH /jobs/:jobId?mode=cancel              -> 202
 *   POST  /savepoint-disposal                   SavepointDisposalRequest -> TriggerResponse (202)
 *   GET   /savepoint-disposal/:triggerId        -> SavepointDisposalStatus
 *   GET   /metrics                              -> Prometheus text
 *
 * Errors answer with a non-2xx status and an ErrorResponse body.
 */
import type { RestartStrategyInfo } from './restart-strategy.ts';

export type JobState =
  | 'CREATED'
  | 'RUNNING'
  | 'RESTARTING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'SUSPENDED';

export interface ErrorResponse {
  readonly errors: readonly string[];
}

export interface JobsOverview {
  readonly jobs: readonly { readonly id: string; readonly status: JobState }[];
}

export interface SubtaskMetrics {
  readonly subtask: number;
  readonly taskManagerId: string | null;
  /** ENDED: end of input reached, the subtask waits for the job's final checkpoint (jobs with checkpointing). */
  readonly status: 'SCHEDULED' | 'DEPLOYING' | 'RUNNING' | 'ENDED' | 'FINISHED' | 'CANCELED' | 'FAILED';
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Share of recent time the subtask could not emit for lack of credit, 0..1. */
  readonly backpressureRatio: number;
}

export interface VertexDetails {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly operatorIds: readonly string[];
  readonly subtasks: readonly SubtaskMetrics[];
}

export interface JobDetails {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  /** Epoch milliseconds. */
  readonly startTime: number;
  readonly endTime: number | null;
  /** Restarts of this run since the JobManager started. */
  readonly restarts: number;
  /** Incremented on every (re)deployment of the job's tasks; fences messages of older attempts. */
  readonly attempt: number;
  readonly parallelism: number;
  readonly taskManagers: { readonly registered: number; readonly slotsTotal: number; readonly slotsFree: number };
  readonly vertices: readonly VertexDetails[];
}

/** The configuration the job runs with, where it may differ from what was asked (defaults applied). */
export interface JobConfigInfo {
  readonly jid: string;
  readonly name: string;
  readonly restartStrategy: RestartStrategyInfo;
}

export interface ExceptionInfo {
  readonly exceptionName: string;
  readonly message: string;
  readonly stacktrace: string;
  readonly timestamp: number;
  readonly taskName: string | null;
  readonly taskManagerId: string | null;
}

export interface JobExceptions {
  readonly rootException: ExceptionInfo | null;
  readonly history: readonly ExceptionInfo[];
}

export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface CheckpointStats {
  readonly id: number;
  readonly status: CheckpointStatus;
  readonly isSavepoint: boolean;
  readonly triggerTimestamp: number;
  readonly latestAckTimestamp: number | null;
  readonly endToEndDuration: number | null;
  readonly stateSize: number;
  readonly alignmentDuration: number | null;
  /** Storage URI of the checkpoint directory (s3://bucket/... or file:///...). */
  readonly externalPath: string | null;
  readonly failureMessage: string | null;
}

export interface RestoredCheckpointInfo {
  readonly id: number;
  readonly isSavepoint: boolean;
  readonly restoreTimestamp: number;
  readonly externalPath: string;
}

export interface CheckpointingStatistics {
  readonly counts: { readonly completed: number; readonly failed: number; readonly inProgress: number; readonly restored: number };
  readonly latest: {
    readonly completed: CheckpointStats | null;
    readonly savepoint: CheckpointStats | null;
    readonly failed: CheckpointStats | null;
    readonly restored: RestoredCheckpointInfo | null;
  };
  /** Newest first, bounded. */
  readonly history: readonly CheckpointStats[];
  /** Completed checkpoints that were skipped at restore, with the reason (corrupt, missing files). */
  readonly skippedOnRestore: readonly { readonly path: string; readonly reason: string }[];
  /** Whether retention keeps storage to the retained checkpoints (a `CheckpointHealthy` condition's source). */
  readonly retention: CheckpointRetentionStatus;
}

/**
 * Retention deletes checkpoints beyond the newest `retained` after each completed one. A failed
 * retention does not fail the job (it is retried after the next checkpoint), so this is how it
 * becomes visible: `lastFailure` is set while the most recent retention failed and null again once
 * one succeeds.
 */
export interface CheckpointRetentionStatus {
  /** Retention runs that failed since the JobManager started. */
  readonly failures: number;
  readonly lastFailure: {
    /** Epoch milliseconds. */
    readonly timestamp: number;
    /** The storage error, e.g. `S3 bucket "b" at http://...: delete failed: InvalidRequest: ... (HTTP 400)`. */
    readonly message: string;
    /** Checkpoint directories (chk-<n>) left in storage that retention should have deleted; null when storage could not be listed. */
    readonly checkpointsLeftBehind: number | null;
  } | null;
}

export interface SavepointTriggerRequest {
  /** Storage URI to write under; default: the job's savepoint directory. */
  readonly targetDirectory?: string;
}

export interface StopWithSavepointRequest extends SavepointTriggerRequest {
  /** Emit a final watermark before stopping (Flink's --drain). */
  readonly drain?: boolean;
}

export interface TriggerResponse {
  readonly triggerId: string;
}

export interface SavepointStatus {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  readonly operation?: { readonly location: string } | { readonly failureCause: string };
}

/**
 * Disposes of one savepoint of this job (Flink's `POST /savepoint-disposal`): its directory is
 * deleted from storage. Only a savepoint directory of this job's own storage (`.../savepoints/sp-<n>`)
 * is accepted (400 otherwise), and never the one this run restored from (409). Disposing of a
 * savepoint that is already gone succeeds, so a request may be repeated until it is known done.
 */
export interface SavepointDisposalRequest {
  readonly savepointPath: string;
}

/** The outcome of a disposal: COMPLETED without `failureCause` means the directory is gone. */
export interface SavepointDisposalStatus {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  readonly operation?: { readonly failureCause?: string };
}
