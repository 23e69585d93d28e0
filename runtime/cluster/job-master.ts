import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperatorResult } from '../api/job-execution-result.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { RpcConnection } from '../rpc/rpc-connection.ts';
import type { RpcMessageOf, SubtaskReport, TaskError, TaskManagerMessage } from '../rpc/rpc-messages.ts';
import type { ExceptionInfo, JobConfigInfo, JobDetails, JobState } from '../rest/rest-types.ts';
import { AttemptScheduler, type PreparedAttempt } from './attempt-scheduler.ts';
import { AttemptSubtasks } from './attempt-subtasks.ts';
import { CheckpointDispatch } from './checkpoint-dispatch.ts';
import type { JobCheckpointing } from './checkpoint-hooks.ts';
import { errorInfo } from './error-info.ts';
import { Failover } from './failover.ts';
import { jobDetails, jobOperatorResults, subtaskReports, taskName } from './job-views.ts';
import { restartStrategyInfo } from './restart-strategy.ts';
import { subtaskKey } from './slot-assignment.ts';
import { SourceCoordinators } from './source-coordinators.ts';
import { TaskManagerRegistry, type RegisteredTaskManager } from './task-manager-registry.ts';

export type { RegisteredTaskManager } from './task-manager-registry.ts';

export interface JobMasterOptions {
  readonly config: SluiceConfig;
  /** The job's graph, or why the job module could not build it. */
  readonly graph: JobGraph | Error;
  readonly logger: Logger;
  readonly checkpointing?: JobCheckpointing;
}

const TERMINAL: ReadonlySet<JobState> = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/**
 * The JobManager's brain for its one job (Flink's JobMaster): it routes TaskManager messages and
 * owns the job's state machine, CREATED → RUNNING → (RESTARTING → RUNNING)* → FINISHED | FAILED |
 * CANCELED, and leaves the parts to its pieces: the {@link TaskManagerRegistry} (who is registered,
 * heartbeats), the {@link AttemptScheduler} (slots, deployment), a {@link CheckpointDispatch} per
 * running attempt, {@link Failover} (restart strategy, exception history) and the REST views
 * (job-views.ts). Messages of older attempts or other sessions are logged and ignored.
 */
export class JobMaster {
  readonly sessionId = randomUUID();
  private readonly config: SluiceConfig;
  private readonly log: Logger;
  readonly graph: JobGraph | null;
  private jobState: JobState = 'CREATED';
  readonly startTime = Date.now();
  private endTime: number | null = null;
  private attempt = 0;
  readonly taskManagers = new TaskManagerRegistry();
  private subtasks = new AttemptSubtasks();
  private readonly scheduler: AttemptScheduler | null;
  private readonly failures: Failover;
  private checkpoints: CheckpointDispatch | null = null;
  /** The split enumerators of the running attempt's sources. */
  private sources: SourceCoordinators | null = null;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly stateListeners: ((state: JobState) => void)[] = [];

  constructor(private readonly options: JobMasterOptions) {
    this.config = options.config;
    this.log = options.logger;
    this.failures = new Failover(options.config.restartStrategy);
    this.graph = options.graph instanceof Error ? null : options.graph;
    this.scheduler =
      this.graph === null ? null : new AttemptScheduler({ graph: this.graph, jobId: this.jobId, sessionId: this.sessionId, taskManagers: this.taskManagers, log: this.log });
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), options.config.heartbeat.interval);
    if (options.graph instanceof Error) this.failJob(options.graph, null, null);
  }

  get jobId(): string {
    return this.config.job.id;
  }

  get state(): JobState {
    return this.jobState;
  }

  get slotsTotal(): number {
    return this.taskManagers.slotsTotal;
  }

  onStateChange(listener: (state: JobState) => void): void {
    this.stateListeners.push(listener);
  }

  /** Stops timers and closes every TaskManager connection (the process is shutting down). */
  close(): void {
    clearInterval(this.heartbeatTimer);
    this.failures.cancelRestart();
    this.checkpoints?.stop();
    this.closeSources();
    this.taskManagers.closeAll();
  }

  /** Every message of a TaskManager connection. */
  onMessage(connection: RpcConnection, m: TaskManagerMessage): void {
    if (m.type === 'register') {
      this.register(connection, m);
      return;
    }
    const tm = this.taskManagers.on(connection);
    if (tm === undefined) {
      this.log.warn({ peer: connection.peer, type: m.type }, `ignoring "${m.type}" from ${connection.peer}, which has not registered`);
      return;
    }
    tm.lastHeard = Date.now();
    if (m.sessionId !== this.sessionId || m.attempt > this.attempt) {
      this.log.warn({ taskManagerId: tm.id, type: m.type, sessionId: m.sessionId, attempt: m.attempt }, 'ignoring a message of another JobManager session');
      return;
    }
    if (m.type === 'tm-heartbeat') {
      tm.sendBufferedBytes = m.sendBufferedBytes;
      if (m.attempt === this.attempt) for (const r of m.tasks) this.subtasks.applyReport(r);
      return;
    }
    if (m.attempt !== this.attempt) {
      this.log.warn({ taskManagerId: tm.id, type: m.type, attempt: m.attempt, currentAttempt: this.attempt }, `ignoring "${m.type}" of attempt ${m.attempt}; the current attempt is ${this.attempt}`);
      return;
    }
    switch (m.type) {
      case 'attempt-ready':
        tm.readyAttempt = m.attempt;
        this.deployWhenReady();
        return;
      case 'task-state':
        this.onTaskState(tm, m);
        return;
      case 'checkpoint-ack':
        this.checkpoints?.ack(m);
        return;
      case 'checkpoint-decline':
        this.checkpoints?.decline(m);
        return;
      case 'reader-event':
        this.sources?.handleReaderEvent(m.vertexId, m.subtaskIndex, m.event);
        return;
    }
  }

  onConnectionClosed(connection: RpcConnection, error: Error | null): void {
    const tm = this.taskManagers.on(connection);
    if (tm !== undefined) this.lost(tm, `TaskManager ${tm.id} (${tm.dataAddress}) disconnected${error ? `: ${error.message}` : ''}`);
    else if (error !== null) this.log.warn({ peer: connection.peer, err: errorInfo(error) }, error.message);
  }

  private register(connection: RpcConnection, m: RpcMessageOf<'register'>): void {
    if (m.jobId !== this.jobId) {
      const reason = `TaskManager ${m.taskManagerId} registered for job "${m.jobId}", but this JobManager runs job "${this.jobId}"`;
      this.log.error({ taskManagerId: m.taskManagerId, jobId: m.jobId }, `refused: ${reason}`);
      connection.send({ type: 'refused', reason });
      connection.close();
      return;
    }
    const previous = this.taskManagers.get(m.taskManagerId);
    if (previous !== undefined && previous.connection !== connection) {
      previous.connection.close();
      this.lost(previous, `TaskManager ${m.taskManagerId} registered again`);
    }
    this.taskManagers.add({ id: m.taskManagerId, dataAddress: m.dataAddress, slots: m.slots, connection, lastHeard: Date.now(), readyAttempt: -1, sendBufferedBytes: 0 });
    this.taskManagers.send(m.taskManagerId, { type: 'registered', sessionId: this.sessionId, heartbeatInterval: this.config.heartbeat.interval, heartbeatTimeout: this.config.heartbeat.timeout });
    this.log.info({ taskManagerId: m.taskManagerId, dataAddress: m.dataAddress, slots: m.slots }, `TaskManager ${m.taskManagerId} registered`);
    this.scheduler?.prepareNewcomer(m.taskManagerId);
    this.schedule();
  }

  // ---- scheduling and deployment ----

  private schedule(): void {
    const scheduler = this.scheduler;
    if (scheduler === null || (this.jobState !== 'CREATED' && this.jobState !== 'RESTARTING')) return;
    if (this.failures.restartPending || scheduler.preparing || !scheduler.enoughSlots()) return;
    this.attempt++;
    this.subtasks = scheduler.prepare(this.attempt);
  }

  /** Deploys once every TaskManager fenced its data plane to the new attempt. */
  private deployWhenReady(): void {
    const ready = this.scheduler?.takeReady();
    if (ready) void this.deploy(ready);
  }

  private async deploy(prepared: PreparedAttempt): Promise<void> {
    const { attempt } = prepared;
    let restoreOf: (d: PreparedAttempt['plan'][number]['descriptor']) => unknown = () => undefined;
    try {
      if (this.options.checkpointing) restoreOf = await this.options.checkpointing.restoreFor(this.graph!, attempt);
    } catch (e) {
      if (attempt !== this.attempt || TERMINAL.has(this.jobState)) return;
      if (this.options.checkpointing!.isTransientRestoreFailure(e)) this.restartOrFail(e, null, null);
      else this.failJob(e, null, null);
      return;
    }
    if (attempt !== this.attempt || TERMINAL.has(this.jobState)) return;
    try {
      this.startSources(attempt);
    } catch (e) {
      this.failJob(e, null, null);
      return;
    }
    this.scheduler!.deploy(prepared, this.subtasks, restoreOf);
    this.transition('RUNNING');
  }

  private onTaskState(tm: RegisteredTaskManager, m: RpcMessageOf<'task-state'>): void {
    const subtask = this.subtasks.get(m.vertexId, m.subtaskIndex);
    if (subtask === undefined) {
      const key = subtaskKey(m.vertexId, m.subtaskIndex);
      this.log.warn({ taskManagerId: tm.id, task: key }, `ignoring the state of unknown subtask ${key}`);
      return;
    }
    if (m.report) this.subtasks.applyReport(m.report);
    if (TERMINAL.has(subtask.status as JobState) && m.state !== 'FAILED') return;
    subtask.status = m.state;
    const name = taskName(this.graph, m.vertexId, m.subtaskIndex);
    switch (m.state) {
      case 'RUNNING':
        this.startCheckpointingWhenAllAlive();
        return;
      case 'ENDED':
        this.startCheckpointingWhenAllAlive();
        this.checkpoints?.subtaskEnded(m.vertexId, m.subtaskIndex);
        return;
      case 'FINISHED':
        if (this.jobState === 'RUNNING' && this.subtasks.every('FINISHED')) {
          this.stopCheckpointing();
          this.transition('FINISHED');
        }
        return;
      case 'FAILED':
        this.failover(taskError(m.error), name, tm.id);
        return;
      case 'CANCELED':
        if (this.jobState === 'RUNNING') this.failover(new Error(`subtask ${name} was cancelled on TaskManager ${tm.id}`), name, tm.id);
        return;
    }
  }

  // ---- checkpoints ----

  private startCheckpointingWhenAllAlive(): void {
    const hooks = this.options.checkpointing;
    if (this.checkpoints !== null || this.jobState !== 'RUNNING' || !this.subtasks.allAlive() || !hooks || this.graph === null) return;
    const attempt = this.attempt;
    this.checkpoints = new CheckpointDispatch({
      hooks,
      jobId: this.jobId,
      graph: this.graph,
      sessionId: this.sessionId,
      attempt,
      subtasks: this.subtasks,
      taskManagers: this.taskManagers,
      sources: this.sources!,
      isCurrent: () => this.attempt === attempt,
    });
  }

  /** The attempt's source coordinators, before its subtasks deploy: their readers register at once. */
  private startSources(attempt: number): void {
    this.closeSources();
    this.sources = new SourceCoordinators(
      this.graph!,
      (vertexId, subtaskIndex, event) => {
        const subtask = this.subtasks.get(vertexId, subtaskIndex);
        if (subtask !== undefined && attempt === this.attempt) {
          this.taskManagers.send(subtask.taskManagerId, { type: 'coordinator-event', sessionId: this.sessionId, attempt, vertexId, subtaskIndex, event });
        }
      },
      (error) => {
        if (attempt === this.attempt) this.failover(error, null, null);
      },
    );
  }

  private closeSources(): void {
    this.sources?.close();
    this.sources = null;
  }

  private stopCheckpointing(): void {
    this.checkpoints?.stop();
    this.checkpoints = null;
  }

  // ---- failures ----

  private checkHeartbeats(): void {
    const timeout = this.config.heartbeat.timeout;
    for (const tm of this.taskManagers.heartbeat({ type: 'jm-heartbeat', sessionId: this.sessionId }, timeout)) {
      this.lost(tm, `TaskManager ${tm.id} (${tm.dataAddress}) missed heartbeats for ${timeout} ms`);
    }
  }

  private lost(tm: RegisteredTaskManager, reason: string): void {
    if (!this.taskManagers.remove(tm)) return;
    // After the job ended, TaskManagers going away is how a cluster shuts down.
    if (TERMINAL.has(this.jobState)) this.log.info({ taskManagerId: tm.id }, reason);
    else this.log.warn({ taskManagerId: tm.id }, reason);
    if (this.scheduler?.preparing) {
      // It was being prepared for the next attempt: plan again with the TaskManagers left.
      this.scheduler.drop();
      this.schedule();
      return;
    }
    if (this.jobState === 'RUNNING' && this.subtasks.ranOn(tm.id, true)) this.failover(new Error(reason), null, tm.id);
    // Lost right after another failure of the attempt it ran (a peer's data-plane error came first): still part of the history.
    else if (this.jobState === 'RESTARTING' && this.subtasks.ranOn(tm.id)) this.failures.record(new Error(reason), null, tm.id);
  }

  /** A failure of the running attempt: cancel everything, then restart or fail per the restart strategy. */
  private failover(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    if (this.jobState !== 'RUNNING') {
      this.failures.record(error, taskName, taskManagerId);
      return;
    }
    this.cancelAttempt();
    this.restartOrFail(error, taskName, taskManagerId);
  }

  /** The restart strategy decides: another attempt after its delay, or the job fails. */
  private restartOrFail(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    const decision = this.failures.decide(error, taskName, taskManagerId);
    if (!decision.restart) {
      this.failJob(decision.error, taskName, taskManagerId);
      return;
    }
    this.log.warn({ attempt: this.attempt, delayMs: decision.delay, restarts: this.failures.restarts }, `job failed over: ${(error as Error).message}; restarting in ${decision.delay} ms`);
    this.transition('RESTARTING');
    this.failures.restartAfter(decision.delay, () => this.schedule());
  }

  private cancelAttempt(): void {
    this.stopCheckpointing();
    this.closeSources();
    this.scheduler?.drop();
    this.taskManagers.broadcast({ type: 'cancel', sessionId: this.sessionId, attempt: this.attempt });
    this.subtasks.cancelAll();
  }

  private failJob(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    this.failures.record(error, taskName, taskManagerId);
    this.log.error({ err: errorInfo(error) }, `job ${this.jobId} failed: ${(error as Error).message}`);
    this.transition('FAILED');
  }

  /** REST `PATCH /jobs/:id?mode=cancel`. */
  cancel(): void {
    if (TERMINAL.has(this.jobState)) return;
    this.failures.cancelRestart();
    this.transition('CANCELLING');
    this.cancelAttempt();
    this.transition('CANCELED');
  }

  private transition(state: JobState): void {
    if (this.jobState === state) return;
    this.log.info({ jobId: this.jobId, from: this.jobState, to: state, attempt: this.attempt }, `job ${this.jobId} ${state}`);
    this.jobState = state;
    if (TERMINAL.has(state)) {
      this.endTime = Date.now();
      this.closeSources();
    }
    for (const l of this.stateListeners) l(state);
  }

  // ---- views for REST and metrics (job-views.ts) ----

  exceptionHistory(): { rootException: ExceptionInfo | null; history: readonly ExceptionInfo[] } {
    return this.failures.history();
  }

  details(): JobDetails {
    return jobDetails({
      jobId: this.jobId,
      name: this.config.job.name,
      parallelism: this.config.job.parallelism,
      graph: this.graph,
      state: this.jobState,
      startTime: this.startTime,
      endTime: this.endTime,
      restarts: this.failures.restarts,
      attempt: this.attempt,
      scheduling: this.scheduler?.preparing ?? false,
      taskManagers: this.taskManagers.size,
      slotsTotal: this.taskManagers.slotsTotal,
      subtasks: this.subtasks,
    });
  }

  configInfo(): JobConfigInfo {
    return { jid: this.jobId, name: this.config.job.name, restartStrategy: restartStrategyInfo(this.config.restartStrategy) };
  }

  operatorResults(): OperatorResult[] {
    return jobOperatorResults(this.graph, this.subtasks);
  }

  subtaskReports(): { vertexName: string; report: SubtaskReport }[] {
    return subtaskReports(this.graph, this.subtasks);
  }
}

function taskError(error: TaskError | undefined): Error {
  const e = new Error(error?.message ?? 'subtask failed without an error');
  e.name = error?.name ?? 'Error';
  e.stack = error?.stack ?? e.stack;
  return e;
}
