import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { AttemptCheckpointCoordinator, CheckpointCoordinatorContext, JobCheckpointing, SavepointDisposalTrigger, SubtaskCheckpointAck } from '../cluster/checkpoint-hooks.ts';
import type { CheckpointingStatistics, SavepointDisposalStatus, SavepointStatus } from '../rest/rest-types.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { TaskDeploymentDescriptor } from '../task/task-deployment-descriptor.ts';
import { CheckpointCoordinator, checkpointedTopology } from './checkpoint-coordinator.ts';
import { CheckpointStorageLocation } from './checkpoint-location.ts';
import { StorageError } from '../fs/storage-error.ts';
import type { ObjectStore } from '../fs/object-store.ts';
import { CheckpointStatsTracker } from './checkpoint-stats-tracker.ts';
import { CompletedCheckpointStore } from './completed-checkpoint-store.ts';
import { configuredS3Options } from '../fs/configured-s3-options.ts';
import { openObjectStore, openConfiguredStorage } from '../fs/open-object-store.ts';
import type { SubtaskStateAck } from './pending-checkpoint.ts';
import { checkCompatible, findRestorePoint } from './restore.ts';
import { OlderRunsCleanup } from './older-runs-cleanup.ts';
import { SavepointDisposal } from './savepoint-disposal.ts';
import { SavepointStore } from './savepoint-store.ts';
import { savepointDirectoryName } from './storage-layout.ts';

/** What a deployment's `restore` carries to a TaskManager: the checkpoint and the vertex's operators with state in it. */
export interface RestoreInstruction {
  readonly checkpoint: string;
  readonly operatorIds: readonly string[];
}

/** Checkpoints are taken when an interval is set; storage is needed too when the run starts from a savepoint. */
export function checkpointingEnabled(config: SluiceConfig): boolean {
  return config.checkpointing.interval !== undefined || config.job.restoreFrom !== undefined || config.job.restoreFromRun !== undefined;
}

/** The JobManager's checkpointing from its configuration; undefined when it has none. */
export async function openJobCheckpointing(config: SluiceConfig, logger: Logger): Promise<StorageJobCheckpointing | undefined> {
  if (!checkpointingEnabled(config)) return undefined;
  return new StorageJobCheckpointing(config, await openConfiguredStorage(config.checkpointing.storage), logger);
}

/**
 * The JobManager side of checkpointing behind the JobMaster's seam (cluster/checkpoint-hooks.ts):
 * one coordinator per attempt over the run's storage, the restore decision before each deployment
 * (the run's own newest verified checkpoint, else job.restoreFrom), statistics for REST and
 * /metrics, and savepoints triggered over REST.
 */
export class StorageJobCheckpointing implements JobCheckpointing {
  readonly stats: CheckpointStatsTracker;
  /** Checkpoint metrics for the JobManager's /metrics (Registry.merge with its own). */
  readonly metrics = new Registry();
  private readonly checkpoints: CompletedCheckpointStore;
  private readonly savepoints: SavepointStore;
  private current: CheckpointCoordinator | undefined;
  private nextId = 1;
  private readonly savepointStatuses = new Map<string, SavepointStatus>();
  private stopJob: (() => void) | undefined;
  private readonly olderRuns: OlderRunsCleanup | undefined;
  /** Where this run's state came from, once restored: kept by the older runs' cleanup, never disposed of. */
  private restoredFrom: string | undefined;
  private readonly savepointDisposal: SavepointDisposal;

  constructor(
    private readonly config: SluiceConfig,
    readonly storage: ObjectStore,
    private readonly logger: Logger,
  ) {
    const scope = { namespace: config.job.namespace, jobName: config.job.name };
    this.stats = new CheckpointStatsTracker(this.metrics);
    this.checkpoints = new CompletedCheckpointStore(storage, scope, config.job.id, { retained: config.checkpointing.retained });
    this.savepoints = new SavepointStore(storage, scope);
    this.savepointDisposal = new SavepointDisposal(this.savepoints, () => this.restoredFrom);
    const olderRuns = config.checkpointing.olderRuns;
    this.olderRuns = olderRuns === undefined ? undefined : new OlderRunsCleanup(storage, scope, config.job.id ?? config.job.name, olderRuns);
  }

  /**
   * The job's tasks exit by themselves once a stop-with-savepoint completed (the job ends FINISHED);
   * should they not within the checkpoint timeout, `stop` (the JobMaster's cancel) ends it.
   */
  onStopRequested(stop: () => void): void {
    this.stopJob = stop;
  }

  createCoordinator(context: CheckpointCoordinatorContext): AttemptCheckpointCoordinator {
    const { operators, subtasks } = checkpointedTopology(context.graph);
    const { checkpointing } = this.config;
    const coordinator = new CheckpointCoordinator({
      jobId: context.jobId,
      operators,
      subtasks,
      checkpoints: this.checkpoints,
      savepoints: this.savepoints,
      stats: this.stats,
      logger: this.logger.child({ component: 'checkpoint-coordinator', attempt: context.attempt }),
      interval: checkpointing.interval,
      timeout: checkpointing.timeout,
      minPause: checkpointing.minPause,
      minCheckpointId: this.nextId,
      afterRetention: () => this.cleanUpOlderRuns(),
      target: {
        triggerCheckpoint: ({ checkpointId, timestamp, savepoint, stop }) => {
          if (!context.allSubtasksAlive()) throw new Error(`not every subtask of attempt ${context.attempt} is running`);
          this.nextId = checkpointId + 1;
          context.trigger(checkpointId, timestamp, { savepoint, stop });
        },
        notifyCheckpointComplete: (checkpointId) => context.notifyComplete(checkpointId),
        notifyCheckpointAborted: (checkpointId) => context.notifyAborted(checkpointId),
      },
    });
    this.current = coordinator;
    coordinator.start().catch((error: unknown) => this.logger.error({ err: error }, `checkpointing cannot start: ${(error as Error).message}`));
    return {
      receiveAck: (ack) => {
        let handles: SubtaskStateAck;
        try {
          handles = stateAck(ack);
        } catch (error) {
          coordinator.decline(ack.checkpointId, (error as Error).message);
          return;
        }
        coordinator.acknowledge(handles);
      },
      receiveDecline: (d) => coordinator.decline(d.checkpointId, `subtask ${d.subtaskIndex} of vertex ${d.vertexId}: ${d.reason}`),
      // Should it fail, the next periodic checkpoint is final too: every subtask is still ended.
      allSubtasksEnded: () => {
        coordinator.triggerCheckpoint().catch((error: unknown) => this.logger.warn({ err: error }, `the final checkpoint of attempt ${context.attempt} failed: ${(error as Error).message}`));
      },
      stop: () => {
        coordinator.stop(`attempt ${context.attempt} ended`);
        if (this.current === coordinator) this.current = undefined;
      },
    };
  }

  async restoreFor(graph: JobGraph): Promise<(descriptor: TaskDeploymentDescriptor) => RestoreInstruction | undefined> {
    const decision = await findRestorePoint(this.checkpoints, this.config.job.restoreFrom, configuredS3Options(this.config), this.config.job.restoreFromRun);
    for (const s of decision.skipped) this.logger.warn({ checkpoint: s.uri, reasons: s.reasons.map((r) => r.message) }, 'skipping a completed checkpoint that does not verify');
    const point = decision.point;
    if (!point) {
      this.stats.reportSkipped(decision.skipped);
      return () => undefined;
    }
    try {
      checkCompatible(point, graph, this.config.job.allowNonRestoredState, (dropped) =>
        this.logger.warn({ operatorId: dropped.operatorId, uid: dropped.uid }, `allowNonRestoredState: leaving state behind: ${dropped.message}`),
      );
    } finally {
      await point.close();
    }
    const { checkpoint } = point;
    this.restoredFrom = checkpoint.uri;
    this.nextId = Math.max(this.nextId, point.origin === 'own-run' ? checkpoint.checkpointId + 1 : 1);
    this.stats.reportRestored(
      { id: checkpoint.checkpointId, isSavepoint: checkpoint.metadata.kind === 'savepoint', restoreTimestamp: Date.now(), externalPath: checkpoint.uri },
      decision.skipped,
    );
    this.logger.info({ checkpointId: checkpoint.checkpointId, path: checkpoint.uri, origin: point.origin }, 'restoring from checkpoint');
    const withState = new Set(Object.entries(checkpoint.metadata.operators).filter(([, s]) => s.subtasks.some((t) => t.keyedState || t.operatorState)).map(([id]) => id));
    return (d) => {
      const operatorIds = graph.vertex(d.vertexId).operators.map((n) => n.operatorId).filter((id) => withState.has(id));
      return operatorIds.length === 0 ? undefined : { checkpoint: checkpoint.uri, operatorIds };
    };
  }

  /**
   * Storage that cannot be reached or serve now may at the next attempt (MinIO starting after the
   * job, a 503, a reset connection): the restart strategy retries rather than the job restoring older state.
   */
  isTransientRestoreFailure(error: unknown): boolean {
    return error instanceof StorageError && (error.reason === 'unreachable' || error.reason === 'timeout' || error.reason === 'unavailable');
  }

  /**
   * After a completed checkpoint of this run: the older runs' checkpoint folders go (once). A failure
   * does not fail the job; it is logged and tried again after the next checkpoint.
   */
  private async cleanUpOlderRuns(): Promise<void> {
    if (this.olderRuns === undefined || this.olderRuns.completed) return;
    try {
      const result = await this.olderRuns.run(this.restoredFrom);
      this.logger.info(result, 'deleted the checkpoints of older runs');
    } catch (error) {
      this.logger.warn({ err: error }, `deleting the checkpoints of older runs failed, tried again after the next checkpoint: ${(error as Error).message}`);
    }
  }

  statistics(): CheckpointingStatistics {
    return this.stats.statistics();
  }

  async triggerSavepoint(targetDirectory: string | undefined, stop: boolean): Promise<string> {
    const coordinator = this.current;
    if (!coordinator) throw new Error(`job "${this.config.job.id}" has no running attempt to take a savepoint of`);
    let target: CheckpointStorageLocation | undefined;
    if (targetDirectory !== undefined) {
      const storage = await openObjectStore(targetDirectory, configuredS3Options(this.config));
      target = new CheckpointStorageLocation(storage, savepointDirectoryName(Date.now()), 'savepoint');
    }
    const triggerId = randomUUID();
    this.savepointStatuses.set(triggerId, { status: { id: 'IN_PROGRESS' } });
    coordinator.triggerSavepoint(target, stop).then(
      (info) => {
        this.savepointStatuses.set(triggerId, { status: { id: 'COMPLETED' }, operation: { location: info.path } });
        if (stop) setTimeout(() => this.stopJob?.(), this.config.checkpointing.timeout).unref();
      },
      (error: unknown) => this.savepointStatuses.set(triggerId, { status: { id: 'COMPLETED' }, operation: { failureCause: (error as Error).message } }),
    ).finally(() => {
      if (target && target.storage !== this.storage) void target.storage.close();
    });
    return triggerId;
  }

  savepointStatus(triggerId: string): SavepointStatus | undefined {
    return this.savepointStatuses.get(triggerId);
  }

  disposeSavepoint(path: string): SavepointDisposalTrigger {
    return this.savepointDisposal.trigger(path);
  }

  savepointDisposalStatus(triggerId: string): SavepointDisposalStatus | undefined {
    return this.savepointDisposal.status(triggerId);
  }
}

/** The TaskManager hook's ack (task-checkpoint-hooks.ts) as the coordinator takes it; anything else is refused by name. */
function stateAck(ack: SubtaskCheckpointAck): SubtaskStateAck {
  const state = ack.state as Partial<SubtaskStateAck> | null;
  if (state === null || typeof state !== 'object' || typeof state.states !== 'object' || state.states === null) {
    throw new Error(`checkpoint ${ack.checkpointId}: the ack of subtask ${ack.subtaskIndex} of vertex ${ack.vertexId} carries no state handles`);
  }
  return { vertexId: ack.vertexId, subtaskIndex: ack.subtaskIndex, checkpointId: ack.checkpointId, states: state.states, alignmentDurationMs: state.alignmentDurationMs ?? 0 };
}
