import type { CheckpointingMode } from '../core/checkpointing-mode.ts';
import type { Registry } from 'prom-client';
import type { JobExecutionResult } from '../api/job-execution-result.ts';
import { LocalExecutor, type LocalExecutorOptions, type LocalJobClient } from '../cluster/local-executor.ts';
import { logger } from '../core/logger.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { OperatorSnapshot } from '../state/state-snapshot.ts';
import { CheckpointCoordinator, checkpointedTopology, type CompletedCheckpointInfo } from './checkpoint-coordinator.ts';
import type { ObjectStore } from '../fs/object-store.ts';
import { CheckpointStatsTracker } from './checkpoint-stats-tracker.ts';
import type { SkippedCheckpoint } from './checkpoint-verification.ts';
import { CompletedCheckpointStore } from './completed-checkpoint-store.ts';
import type { S3ConnectionOptions } from '../fs/open-object-store.ts';
import { checkCompatible, findRestorePoint, readOperatorSnapshots, type RestorePoint } from './restore.ts';
import { SavepointStore } from './savepoint-store.ts';
import type { JobScope } from './storage-layout.ts';
import { uploadSubtaskSnapshot } from './subtask-checkpoint-uploader.ts';

export interface CheckpointedLocalJobOptions {
  readonly storage: ObjectStore;
  readonly scope: JobScope;
  /** The run; its checkpoints live in `<ns>/<job>/<jobId>/checkpoints`. */
  readonly jobId: string;
  /** Milliseconds between checkpoints; absent: savepoints only. */
  readonly interval?: number;
  readonly timeout?: number;
  readonly minPause?: number;
  readonly retained?: number;
  readonly mode?: CheckpointingMode;
  /** Savepoint or checkpoint URI to start from when the run has no completed checkpoint of its own. */
  readonly restoreFrom?: string;
  /** Start without the state of operators the job no longer has (runtime `job.allowNonRestoredState`). */
  readonly allowNonRestoredState?: boolean;
  readonly s3?: S3ConnectionOptions;
  readonly registry?: Registry;
  readonly executor?: Omit<LocalExecutorOptions, 'jobId' | 'restore' | 'checkpointingMode'>;
}

/**
 * A job run in this process with checkpoints to storage: the same coordinator, uploads and restore
 * decision as a JobManager with TaskManagers, over the local executor's in-process tasks.
 */
export interface CheckpointedLocalJob {
  readonly job: LocalJobClient;
  readonly coordinator: CheckpointCoordinator;
  readonly stats: CheckpointStatsTracker;
  /** The checkpoint or savepoint the run started from. */
  readonly restored: { readonly checkpointId: number; readonly path: string; readonly origin: RestorePoint['origin'] } | undefined;
  readonly skipped: readonly SkippedCheckpoint[];
  readonly result: Promise<JobExecutionResult>;
  /**
   * Stop-with-savepoint: the sources emit nothing after its barrier, the savepoint completes (sinks
   * commit), then the tasks exit without finishing their operators (no draining) and the job
   * finishes; resolves with the savepoint.
   */
  stopWithSavepoint(): Promise<CompletedCheckpointInfo>;
}

export async function startCheckpointedLocalJob(graph: JobGraph, options: CheckpointedLocalJobOptions): Promise<CheckpointedLocalJob> {
  const { storage, scope, jobId } = options;
  const log = logger.child({ jobId });
  const checkpoints = new CompletedCheckpointStore(storage, scope, jobId, { retained: options.retained });
  const stats = new CheckpointStatsTracker(options.registry);
  const decision = await findRestorePoint(checkpoints, options.restoreFrom, options.s3);
  for (const s of decision.skipped) log.warn({ checkpoint: s.uri, reasons: s.reasons.map((r) => r.message) }, 'skipping a completed checkpoint that does not verify');
  let restore: Map<string, OperatorSnapshot[]> | undefined;
  let restored: CheckpointedLocalJob['restored'];
  const point = decision.point;
  if (point) {
    try {
      checkCompatible(point, graph, options.allowNonRestoredState, (dropped) => log.warn({ operatorId: dropped.operatorId, uid: dropped.uid }, `allowNonRestoredState: leaving state behind: ${dropped.message}`));
      restore = await readOperatorSnapshots(point);
    } finally {
      await point.close();
    }
    const { checkpoint } = point;
    restored = { checkpointId: checkpoint.checkpointId, path: checkpoint.uri, origin: point.origin };
    stats.reportRestored(
      { id: checkpoint.checkpointId, isSavepoint: checkpoint.metadata.kind === 'savepoint', restoreTimestamp: Date.now(), externalPath: checkpoint.uri },
      decision.skipped,
    );
    log.info({ checkpointId: checkpoint.checkpointId, path: checkpoint.uri, origin: point.origin }, 'restoring from checkpoint');
  } else stats.reportSkipped(decision.skipped);

  // Without an interval only savepoints are taken: tasks then finish at end of input as without checkpoints.
  const checkpointing = options.interval !== undefined;
  const job = new LocalExecutor({ ...options.executor, jobId, restore, checkpointingMode: options.mode, checkpointing }).start(graph);
  const { operators, subtasks } = checkpointedTopology(graph);
  const coordinator: CheckpointCoordinator = new CheckpointCoordinator({
    jobId,
    operators,
    subtasks,
    checkpoints,
    savepoints: new SavepointStore(storage, scope),
    stats,
    logger: log,
    interval: options.interval,
    timeout: options.timeout ?? 600_000,
    minPause: options.minPause ?? 0,
    target: {
      triggerCheckpoint({ checkpointId, location, savepoint, stop, signal }) {
        job.triggerCheckpoint(checkpointId, { savepoint, stop }).then(
          (acks) => {
            for (const ack of acks) {
              uploadSubtaskSnapshot(location, ack, { signal }).then(
                (handles) => coordinator.acknowledge(handles),
                (error: unknown) => coordinator.decline(checkpointId, `uploading the state of ${ack.vertexId}/${ack.subtaskIndex} failed: ${(error as Error).message}`),
              );
            }
          },
          (error: unknown) => coordinator.decline(checkpointId, (error as Error).message),
        );
      },
      notifyCheckpointComplete: (checkpointId) => job.notifyCheckpointComplete(checkpointId),
      notifyCheckpointAborted: (checkpointId) => job.notifyCheckpointAborted(checkpointId),
    },
  });
  // Every task ended: the final checkpoint is taken at once (and retried periodically should it fail).
  job.onAllEnded(() => {
    coordinator.triggerCheckpoint().catch((error: unknown) => log.warn({ err: error }, `the final checkpoint failed: ${(error as Error).message}`));
  });
  const stop = () => coordinator.stop(`job ${jobId} is no longer running`);
  job.result.then(stop, stop);
  await coordinator.start();
  // The job is done once the retention its last checkpoint started has run too.
  const result = job.result.then(async (r) => {
    await coordinator.retentionApplied();
    return r;
  });
  return {
    job,
    coordinator,
    stats,
    restored,
    skipped: decision.skipped,
    result,
    async stopWithSavepoint() {
      const savepoint = await coordinator.triggerSavepoint(undefined, true);
      await job.result;
      return savepoint;
    },
  };
}
