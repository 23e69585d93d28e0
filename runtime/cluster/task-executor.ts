import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { SluiceConfig } from '../config/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import { connectWithRetry } from '../network/connect-with-retry.ts';
import type { DataPlane } from '../network/data-plane.ts';
import { LocalChannel } from '../network/local-channel.ts';
import { RpcConnection } from '../rpc/rpc-connection.ts';
import type { JobManagerMessage, RpcMessageOf, TaskManagerMessage } from '../rpc/rpc-messages.ts';
import { assignStateToSubtask, type OperatorSnapshot, type OperatorStateRestore } from '../state/state-snapshot.ts';
import { TaskCancelledError } from '../task/task-cancelled-error.ts';
import type { TaskCheckpointAck } from '../task/task-checkpoint.ts';
import type { TaskDeploymentDescriptor } from '../task/task-deployment-descriptor.ts';
import { DeployedTask } from './deployed-task.ts';
import { errorInfo } from './error-info.ts';
import { subtaskKey } from './slot-assignment.ts';

type Restore = ((operatorId: string) => OperatorStateRestore | undefined) | undefined;

/**
 * The TaskManager side of checkpoints (issue 4 plugs in here). Defaults keep state inline: an ack
 * carries the subtask's snapshots, and a deployment's `restore` is `{ [operatorId]: OperatorSnapshot[] }`.
 */
export interface TaskCheckpointHooks {
  /**
   * What the ack of a subtask's checkpoint carries, e.g. after uploading its snapshots: their handles.
   * `signal` aborts when the JobManager aborted the checkpoint (or the attempt ends): uploads may stop.
   */
  acknowledge(ack: TaskCheckpointAck, signal: AbortSignal): Promise<unknown>;
  /** What a subtask restores from, given the `restore` of its deployment (absent: empty state). */
  restore(descriptor: TaskDeploymentDescriptor, restore: unknown): Promise<Restore>;
}

export const INLINE_CHECKPOINT_HOOKS: TaskCheckpointHooks = {
  acknowledge: (ack) => Promise.resolve(ack.snapshots),
  restore(d, restore) {
    if (restore === undefined || restore === null) return Promise.resolve(undefined);
    const byOperator = restore as Record<string, OperatorSnapshot[]>;
    return Promise.resolve((operatorId: string) => {
      const snapshots = byOperator[operatorId];
      return snapshots ? assignStateToSubtask(snapshots, d.maxParallelism, d.parallelism, d.subtaskIndex) : undefined;
    });
  },
};

export interface TaskExecutorOptions {
  readonly config: SluiceConfig;
  readonly graph: JobGraph;
  /** Listening already: its address is what the TaskManager registers. */
  readonly plane: DataPlane;
  readonly logger: Logger;
  readonly checkpoints?: TaskCheckpointHooks;
  /** The run key this TaskManager proves to the JobManager; null: authentication disabled. */
  readonly runKey: Buffer | null;
  /** The JobManager refused this TaskManager (another job): it cannot do anything useful. */
  readonly onRefused: (error: Error) => void;
}

const BACKPRESSURE_SAMPLE_MS = 50;
const RECONNECT_PAUSE_MS = 250;

/**
 * A TaskManager's endpoint (Flink's TaskExecutor): registers with the JobManager (retrying while
 * it is not up, and again after losing it), heartbeats with the reports of its subtasks, deploys
 * and cancels subtasks, and relays checkpoint triggers and acks. Messages of another JobManager
 * session or an older attempt are logged and ignored.
 */
export class TaskExecutor {
  private readonly options: TaskExecutorOptions;
  private readonly log: Logger;
  private readonly hooks: TaskCheckpointHooks;
  private connection: RpcConnection | null = null;
  private sessionId: string | null = null;
  private attempt = -1;
  private readonly tasks = new Map<string, DeployedTask>();
  private localChannels = new Map<number, LocalChannel>();
  /** Attempt preparation and deployments run one after the other. */
  private work: Promise<void> = Promise.resolve();
  private lastHeard = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  /** Uploads per checkpoint id of the current attempt, aborted with the checkpoint. */
  private uploads = new Map<number, AbortController>();
  private readonly sampler: NodeJS.Timeout;
  private readonly stopping = new AbortController();

  constructor(options: TaskExecutorOptions) {
    this.options = options;
    this.log = options.logger;
    this.hooks = options.checkpoints ?? INLINE_CHECKPOINT_HOOKS;
    this.sampler = setInterval(() => {
      for (const t of this.tasks.values()) t.sampleBackpressure();
    }, BACKPRESSURE_SAMPLE_MS);
  }

  get taskManagerId(): string {
    return this.options.config.taskmanager.id;
  }

  /** Subtasks running now. */
  get runningTasks(): number {
    return this.tasks.size;
  }

  start(): void {
    void this.connect();
  }

  /** Cancels every subtask and closes the connection to the JobManager and the data plane. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    clearInterval(this.sampler);
    this.stopHeartbeats();
    this.cancelAll('TaskManager stopping');
    this.abortUploads('TaskManager stopping');
    this.connection?.close();
    await this.work;
    await this.options.plane.close();
  }

  private async connect(): Promise<void> {
    const { address, rpcPort } = this.options.config.jobmanager;
    const where = `${address}:${rpcPort}`;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        const socket = await connectWithRetry(address, rpcPort, this.options.config.network.connectTimeout, signal);
        if (signal.aborted) {
          socket.destroy();
          return;
        }
        this.connection = new RpcConnection(
          socket,
          `JobManager ${where}`,
          { message: (m) => this.onMessage(m as JobManagerMessage), closed: (error) => this.onDisconnected(error) },
          { side: 'taskmanager', runKey: this.options.runKey },
        );
        this.lastHeard = Date.now();
        this.startHeartbeats();
        const { config, plane } = this.options;
        this.connection.send({ type: 'register', taskManagerId: this.taskManagerId, jobId: config.job.id, dataAddress: plane.address, slots: config.taskmanager.slots });
        this.log.info({ jobManager: where }, 'connected to the JobManager, registering');
        return;
      } catch (e) {
        if (signal.aborted) return;
        this.log.warn({ jobManager: where, err: errorInfo(e) }, `JobManager ${where} not reachable yet: ${(e as Error).message}; retrying`);
        await delay(RECONNECT_PAUSE_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private onDisconnected(error: Error | null): void {
    this.connection = null;
    this.sessionId = null;
    this.stopHeartbeats();
    if (this.stopping.signal.aborted) return;
    this.log.warn({ err: error === null ? undefined : errorInfo(error) }, `lost the JobManager${error ? `: ${error.message}` : ''}; cancelling tasks and registering again`);
    this.cancelAll('JobManager connection lost');
    this.abortUploads('JobManager connection lost');
    void this.connect();
  }

  private send(message: TaskManagerMessage): void {
    this.connection?.send(message);
  }

  private onMessage(m: JobManagerMessage): void {
    this.lastHeard = Date.now();
    switch (m.type) {
      case 'registered':
        this.sessionId = m.sessionId;
        // A new JobManager numbers its attempts from 1 again; the session id fences the old one's messages.
        this.attempt = -1;
        this.log.info({ sessionId: m.sessionId }, 'registered with the JobManager');
        return;
      case 'refused': {
        const error = new Error(`JobManager refused TaskManager ${this.taskManagerId}: ${m.reason}`);
        this.log.error({ reason: m.reason }, error.message);
        this.options.onRefused(error);
        return;
      }
      case 'jm-heartbeat':
        return;
    }
    if (m.sessionId !== this.sessionId || m.attempt < this.attempt) {
      this.log.warn({ type: m.type, sessionId: m.sessionId, attempt: m.attempt, currentSession: this.sessionId, currentAttempt: this.attempt }, 'ignoring a message of another JobManager session or an older attempt');
      return;
    }
    switch (m.type) {
      case 'prepare-attempt':
        this.prepare(m.attempt);
        return;
      case 'deploy':
        if (m.attempt !== this.attempt) {
          this.log.warn({ attempt: m.attempt, currentAttempt: this.attempt }, 'ignoring a deployment for an attempt that was not prepared');
          return;
        }
        this.work = this.work.then(() => this.deploy(m));
        return;
      case 'cancel':
        if (m.attempt === this.attempt) this.cancelAll(`cancelled by the JobManager (attempt ${m.attempt})`);
        return;
      case 'coordinator-event': {
        const deployed = this.tasks.get(subtaskKey(m.vertexId, m.subtaskIndex));
        if (deployed === undefined || m.attempt !== this.attempt) {
          this.log.warn({ task: subtaskKey(m.vertexId, m.subtaskIndex), attempt: m.attempt }, 'ignoring a source coordinator event for a subtask not running here');
          return;
        }
        deployed.task.handleCoordinatorEvent(m.event);
        return;
      }
      case 'trigger-checkpoint': {
        const deployed = this.tasks.get(subtaskKey(m.vertexId, m.subtaskIndex));
        if (deployed === undefined || m.attempt !== this.attempt || !deployed.task.isAlive) {
          this.send({ type: 'checkpoint-decline', sessionId: m.sessionId, attempt: m.attempt, vertexId: m.vertexId, subtaskIndex: m.subtaskIndex, checkpointId: m.checkpointId, reason: `subtask ${subtaskKey(m.vertexId, m.subtaskIndex)} is not running on ${this.taskManagerId}` });
          return;
        }
        deployed.task.triggerCheckpoint(m.checkpointId, m.timestamp, { savepoint: m.savepoint, stop: m.stop ?? false });
        return;
      }
      case 'checkpoint-complete':
        if (m.attempt !== this.attempt) return;
        this.uploads.delete(m.checkpointId);
        for (const t of this.tasks.values()) t.task.notifyCheckpointComplete(m.checkpointId, m.final ?? false);
        return;
      case 'checkpoint-aborted':
        if (m.attempt !== this.attempt) return;
        this.uploads.get(m.checkpointId)?.abort(new Error(`checkpoint ${m.checkpointId} was aborted by the JobManager`));
        this.uploads.delete(m.checkpointId);
        for (const t of this.tasks.values()) t.task.notifyCheckpointAborted(m.checkpointId);
        return;
    }
  }

  /** A new attempt: old subtasks go, the data plane fences off the old attempt's peers. */
  private prepare(attempt: number): void {
    const sessionId = this.sessionId!;
    this.cancelAll(`attempt ${attempt} replaces attempt ${this.attempt}`);
    this.abortUploads(`attempt ${attempt} replaces attempt ${this.attempt}`);
    this.attempt = attempt;
    this.work = this.work.then(async () => {
      this.localChannels = new Map();
      await this.options.plane.setFencingToken(attempt);
      if (this.sessionId === sessionId && this.attempt === attempt) this.send({ type: 'attempt-ready', sessionId, attempt });
    });
  }

  private async deploy(m: RpcMessageOf<'deploy'>): Promise<void> {
    const { descriptor: d, sessionId, attempt } = m;
    const key = subtaskKey(d.vertexId, d.subtaskIndex);
    const state = (s: RpcMessageOf<'task-state'>['state'], extra: Partial<RpcMessageOf<'task-state'>> = {}) =>
      this.send({ type: 'task-state', sessionId, attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, state: s, ...extra });
    let deployed: DeployedTask;
    try {
      if (d.jobId !== this.options.config.job.id) throw new Error(`descriptor for job "${d.jobId}" sent to a TaskManager of job "${this.options.config.job.id}"`);
      if (d.attemptNumber !== attempt) throw new Error(`descriptor of attempt ${d.attemptNumber} in a deployment of attempt ${attempt}`);
      const restore = await this.hooks.restore(d, m.restore);
      if (this.attempt !== attempt || this.sessionId !== sessionId) return;
      const channels = this.localChannels;
      deployed = new DeployedTask(d, m.producers, {
        graph: this.options.graph,
        plane: this.options.plane,
        localChannel: (id) => channels.get(id) ?? channels.set(id, new LocalChannel(id)).get(id)!,
        restore,
        onCheckpoint: (ack) => this.acknowledge(sessionId, attempt, ack),
        readerEvents: (event) => this.send({ type: 'reader-event', sessionId, attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, event }),
        checkpointingMode: this.options.config.checkpointing.mode,
        // Periodic checkpoints with storage: the final checkpoint then commits what a subtask wrote last.
        checkpointing: this.options.checkpoints !== undefined && this.options.config.checkpointing.interval !== undefined,
        onEnded: () => {
          this.log.info({ task: key, attempt }, 'subtask ended; it waits for the final checkpoint');
          state('ENDED', { report: deployed.report() });
        },
      });
    } catch (e) {
      this.log.error({ task: key, attempt, err: errorInfo(e) }, `cannot deploy subtask ${key}: ${(e as Error).message}`);
      state('FAILED', { error: errorInfo(e) });
      return;
    }
    this.tasks.set(key, deployed);
    this.log.info({ task: deployed.name, attempt }, 'subtask deployed');
    const run = deployed.task.run();
    state('RUNNING');
    const settle = (s: 'FINISHED' | 'FAILED' | 'CANCELED', error?: unknown) => {
      if (this.tasks.get(key) === deployed) this.tasks.delete(key);
      if (s === 'FAILED') this.log.error({ task: deployed.name, attempt, err: errorInfo(error) }, `subtask ${deployed.name} failed: ${(error as Error).message}`);
      else this.log.info({ task: deployed.name, attempt }, `subtask ${s.toLowerCase()}`);
      state(s, { report: deployed.report(), ...(error === undefined ? {} : { error: errorInfo(error) }) });
    };
    run.then(
      () => settle('FINISHED'),
      (e: unknown) => (e instanceof TaskCancelledError ? settle('CANCELED') : settle('FAILED', e)),
    );
  }

  private acknowledge(sessionId: string, attempt: number, ack: TaskCheckpointAck): void {
    const ids = { sessionId, attempt, vertexId: ack.vertexId, subtaskIndex: ack.subtaskIndex, checkpointId: ack.checkpointId };
    let upload = this.uploads.get(ack.checkpointId);
    if (upload === undefined) this.uploads.set(ack.checkpointId, (upload = new AbortController()));
    this.hooks.acknowledge(ack, upload.signal).then(
      (state) => this.send({ type: 'checkpoint-ack', ...ids, state }),
      (e: unknown) => this.send({ type: 'checkpoint-decline', ...ids, reason: (e as Error).message }),
    );
  }

  private abortUploads(reason: string): void {
    for (const upload of this.uploads.values()) upload.abort(new Error(reason));
    this.uploads = new Map();
  }

  private cancelAll(reason: string): void {
    if (this.tasks.size === 0) return;
    this.log.info({ tasks: this.tasks.size, reason }, 'cancelling subtasks');
    for (const t of this.tasks.values()) t.task.cancel();
    this.tasks.clear();
  }

  private startHeartbeats(): void {
    const { interval, timeout } = this.options.config.heartbeat;
    this.heartbeatTimer = setInterval(() => {
      const connection = this.connection;
      if (connection === null) return;
      if (Date.now() - this.lastHeard > timeout) {
        this.log.warn({ timeoutMs: timeout }, `no message from the JobManager for ${timeout} ms`);
        connection.close();
        return;
      }
      if (this.sessionId === null) return;
      this.send({
        type: 'tm-heartbeat',
        sessionId: this.sessionId,
        attempt: Math.max(0, this.attempt),
        tasks: [...this.tasks.values()].map((t) => t.report()),
        sendBufferedBytes: this.options.plane.sendBufferedBytes,
      });
    }, interval);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }
}
