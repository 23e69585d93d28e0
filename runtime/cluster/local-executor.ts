import type { CheckpointingMode } from '../core/checkpointing-mode.ts';
import { JobExecutionResult, type OperatorResult } from '../api/job-execution-result.ts';
import type { JobExecutor } from '../api/job-executor.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import { DEFAULT_LOCAL_CHANNEL_OPTIONS, LocalChannel, type LocalChannelOptions } from '../network/local-channel.ts';
import { assignStateToSubtask, type OperatorSnapshot } from '../state/state-snapshot.ts';
import type { ChannelProvider } from '../task/channel-provider.ts';
import { StreamTask } from '../task/stream-task.ts';
import { TaskCancelledError } from '../task/task-cancelled-error.ts';
import type { CheckpointTriggerOptions, TaskCheckpointAck } from '../task/task-checkpoint.ts';
import { createDeploymentDescriptors } from '../task/task-deployment-descriptor.ts';
import { logger } from '../core/logger.ts';
import { FinalCheckpoints } from './final-checkpoints.ts';
import { operatorResults } from './operator-results.ts';
import { SourceCoordinators } from './source-coordinators.ts';

export interface LocalExecutorOptions {
  readonly jobId?: string;
  readonly channel?: LocalChannelOptions;
  /** Snapshots of a previous run per operator id (any parallelism), to start from. */
  readonly restore?: ReadonlyMap<string, readonly OperatorSnapshot[]>;
  readonly sourceBurst?: number;
  /** Barrier alignment of tasks with several input channels; default exactly-once. */
  readonly checkpointingMode?: CheckpointingMode;
  /**
   * The job takes checkpoints (a coordinator drives `triggerCheckpoint`): at end of input tasks end
   * and wait for the final checkpoint — one triggered once every task ended — instead of finishing.
   */
  readonly checkpointing?: boolean;
}

/** A job running in this process. */
export interface LocalJobClient {
  readonly jobId: string;
  readonly tasks: readonly StreamTask[];
  /** Settles when every task finished, or with the first failure. */
  readonly result: Promise<JobExecutionResult>;
  /**
   * Takes checkpoint `id` (barriers from the running sources, direct triggers at ended tasks) and
   * resolves with every subtask's snapshots.
   */
  triggerCheckpoint(id: number, options?: CheckpointTriggerOptions): Promise<TaskCheckpointAck[]>;
  /**
   * Tasks commit; after the job's final checkpoint (all tasks had ended when it was triggered, or a
   * stop-with-savepoint) they exit: then it returns true.
   */
  notifyCheckpointComplete(id: number): boolean;
  /** A stop-with-savepoint that failed: its stopped sources emit again. */
  notifyCheckpointAborted(id: number): void;
  /** With checkpointing: `listener` runs when every task ended, the moment for the final checkpoint. */
  onAllEnded(listener: () => void): void;
  cancel(): void;
}

interface PendingAcks {
  readonly timestamp: number;
  readonly options: CheckpointTriggerOptions;
  readonly received: Map<StreamTask, TaskCheckpointAck>;
  readonly resolve: (a: TaskCheckpointAck[]) => void;
  readonly reject: (e: Error) => void;
}

/**
 * Runs every subtask of a JobGraph in this process: the local mini-cluster. Tasks are deployed
 * from the same TaskDeploymentDescriptors a TaskManager would receive; channels are local.
 */
export class LocalExecutor implements JobExecutor {
  constructor(private readonly options: LocalExecutorOptions = {}) {}

  async execute(graph: JobGraph): Promise<JobExecutionResult> {
    return this.start(graph).result;
  }

  start(graph: JobGraph): LocalJobClient {
    const jobId = this.options.jobId ?? graph.jobName;
    const channelOptions = this.options.channel ?? DEFAULT_LOCAL_CHANNEL_OPTIONS;
    const channels = new Map<number, LocalChannel>();
    const channel = (id: number) => {
      let c = channels.get(id);
      if (!c) channels.set(id, (c = new LocalChannel(id, channelOptions)));
      return c;
    };
    const provider: ChannelProvider = {
      createInputChannel: (d) => channel(d.channelId),
      createChannelWriter: (t) => channel(t.channelId),
    };
    const restore = this.options.restore;
    const acks = new Map<number, PendingAcks>();
    const finalCheckpoints = new FinalCheckpoints();
    const allEndedListeners: (() => void)[] = [];
    const byKey = new Map<string, StreamTask>();
    const onCheckpoint = (ack: TaskCheckpointAck) => {
      const pending = acks.get(ack.checkpointId);
      const task = byKey.get(`${ack.vertexId}/${ack.subtaskIndex}`);
      if (!pending || !task) return;
      pending.received.set(task, ack);
      if (pending.received.size === tasks.length) {
        acks.delete(ack.checkpointId);
        pending.resolve([...pending.received.values()]);
      }
    };
    // An ended task gets no barrier any more: checkpoints in flight that it has not taken are triggered at it directly.
    const onEnded = (task: StreamTask) => {
      for (const [id, p] of acks) if (!p.received.has(task)) task.triggerCheckpoint(id, p.timestamp, p.options);
      if (tasks.every((t) => t.isEnded)) for (const l of allEndedListeners) l();
    };
    let failJob: (error: unknown) => void = () => undefined;
    const coordinators = new SourceCoordinators(
      graph,
      (vertexId, subtask, event) => byKey.get(`${vertexId}/${subtask}`)?.handleCoordinatorEvent(event),
      (error) => failJob(error),
    );
    const tasks: StreamTask[] = createDeploymentDescriptors(graph, jobId).map((d) => {
      const task: StreamTask = new StreamTask(graph, d, {
        channels: provider,
        onCheckpoint,
        readerEvents: (event) => coordinators.handleReaderEvent(d.vertexId, d.subtaskIndex, event),
        onEnded: () => onEnded(task),
        checkpointing: this.options.checkpointing,
        sourceBurst: this.options.sourceBurst,
        checkpointingMode: this.options.checkpointingMode,
        restore: restore
          ? (operatorId) => {
              const snapshots = restore.get(operatorId);
              return snapshots ? assignStateToSubtask(snapshots, d.maxParallelism, d.parallelism, d.subtaskIndex) : undefined;
            }
          : undefined,
      });
      byKey.set(`${d.vertexId}/${d.subtaskIndex}`, task);
      return task;
    });
    const started = Date.now();
    logger.info({ jobId, job: graph.jobName, vertices: graph.vertices.length, subtasks: tasks.length }, 'job started');
    const result = new Promise<JobExecutionResult>((resolve, reject) => {
      let remaining = tasks.length;
      let failed = false;
      failJob = (error: unknown) => {
        if (failed) return;
        failed = true;
        for (const t of tasks) t.cancel();
        if (!(error instanceof TaskCancelledError)) logger.error({ jobId, err: error }, 'job failed');
        reject(error);
      };
      for (const task of tasks) {
        task.run().then(
          () => {
            if (--remaining > 0 || failed) return;
            const r = new JobExecutionResult(graph.jobName, jobId, Date.now() - started, aggregate(graph, tasks));
            logger.info({ jobId, durationMs: r.durationMs }, 'job finished');
            resolve(r);
          },
          (error: unknown) => failJob(error),
        );
      }
    });
    const abandon = () => {
      coordinators.close();
      for (const [id, p] of acks) p.reject(new Error(`job ${jobId} ended before checkpoint ${id} completed`));
      acks.clear();
    };
    result.then(abandon, abandon);
    return {
      jobId,
      tasks,
      result,
      triggerCheckpoint(id: number, options: CheckpointTriggerOptions = {}) {
        return new Promise<TaskCheckpointAck[]>((resolve, reject) => {
          const finished = tasks.filter((t) => !t.isAlive).map((t) => t.name);
          if (finished.length > 0) {
            reject(new Error(`cannot take checkpoint ${id} of job ${jobId}: subtasks no longer running: ${finished.join(', ')}`));
            return;
          }
          // The enumerators' states first: they reach each source's subtask 0 ahead of the trigger.
          try {
            coordinators.checkpoint(id);
          } catch (e) {
            reject(e as Error);
            return;
          }
          const timestamp = Date.now();
          acks.set(id, { timestamp, options, received: new Map(), resolve, reject });
          finalCheckpoints.triggered(id, options.stop, tasks.every((t) => t.isEnded));
          for (const t of tasks) if (t.vertex.isSource || t.isEnded) t.triggerCheckpoint(id, timestamp, options);
        });
      },
      notifyCheckpointComplete(id: number) {
        const final = finalCheckpoints.completed(id);
        coordinators.notifyCheckpointComplete(id);
        for (const t of tasks) t.notifyCheckpointComplete(id, final);
        return final;
      },
      notifyCheckpointAborted(id: number) {
        finalCheckpoints.aborted(id);
        acks.get(id)?.reject(new Error(`checkpoint ${id} of job ${jobId} was aborted`));
        acks.delete(id);
        for (const t of tasks) t.notifyCheckpointAborted(id);
      },
      onAllEnded(listener: () => void) {
        allEndedListeners.push(listener);
      },
      cancel() {
        for (const t of tasks) t.cancel();
      },
    };
  }
}

function aggregate(graph: JobGraph, tasks: readonly StreamTask[]): OperatorResult[] {
  return operatorResults(graph, tasks.flatMap((t) => t.metrics()));
}
