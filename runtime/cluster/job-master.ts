import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OperatorResult } from '../api/job-execution-result.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { RpcConnection } from '../rpc/rpc-connection.ts';
import type { JobManagerMessage, RpcMessageOf, SubtaskReport, TaskError, TaskManagerMessage } from '../rpc/rpc-messages.ts';
import type { AttemptCheckpointCoordinator, JobCheckpointing } from './checkpoint-hooks.ts';
import { planDeployment, type SubtaskDeployment } from './deployment-plan.ts';
import { errorInfo } from './error-info.ts';
import { operatorResults } from './operator-results.ts';
import type { ExceptionInfo, JobDetails, JobState, SubtaskMetrics } from '../rest/rest-types.ts';
import { createRestartStrategy, type RestartStrategy } from './restart-strategy.ts';
import { assignSlots, requiredSlots, subtaskKey } from './slot-assignment.ts';

export interface RegisteredTaskManager {
  readonly id: string;
  readonly dataAddress: string;
  readonly slots: number;
  readonly connection: RpcConnection;
  lastHeard: number;
  readyAttempt: number;
  sendBufferedBytes: number;
}

interface SubtaskStatus {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly taskManagerId: string;
  status: SubtaskMetrics['status'];
  report: SubtaskReport | null;
}

/** The checkpoint the attempt's subtasks were triggered for and have not all acknowledged. */
interface CheckpointInFlight {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  readonly stop: boolean;
  /** Subtasks (by key) that acknowledged or declined it. */
  readonly answered: Set<string>;
}

export interface JobMasterOptions {
  readonly config: SluiceConfig;
  /** The job's graph, or why the job module could not build it. */
  readonly graph: JobGraph | Error;
  readonly logger: Logger;
  readonly checkpointing?: JobCheckpointing;
}

const TERMINAL: ReadonlySet<JobState> = new Set(['FINISHED', 'FAILED', 'CANCELED']);
const MAX_EXCEPTIONS = 16;

/**
 * The JobManager's brain for its one job (Flink's JobMaster + scheduler): registers TaskManagers,
 * waits for enough slots, deploys an attempt (prepare every TaskManager, then deploy every subtask),
 * tracks subtask states, detects lost TaskManagers (connection or heartbeat), and fails over through
 * the restart strategy. State machine: CREATED → RUNNING → (RESTARTING → RUNNING)* → FINISHED |
 * FAILED | CANCELED. Messages of older attempts are logged and ignored.
 */
export class JobMaster {
  readonly sessionId = randomUUID();
  private readonly config: SluiceConfig;
  private readonly log: Logger;
  readonly graph: JobGraph | null;
  private jobState: JobState = 'CREATED';
  readonly startTime = Date.now();
  private endTime: number | null = null;
  private restarts = 0;
  private attempt = 0;
  private readonly exceptions: ExceptionInfo[] = [];
  readonly taskManagers = new Map<string, RegisteredTaskManager>();
  private subtasks = new Map<string, SubtaskStatus>();
  private pending: { attempt: number; plan: SubtaskDeployment[] } | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly restartStrategy: RestartStrategy;
  private coordinator: AttemptCheckpointCoordinator | null = null;
  private checkpointInFlight: CheckpointInFlight | null = null;
  /** Checkpoints after whose completion the subtasks exit: the final one, stop-with-savepoints. */
  private readonly finalCheckpoints = new Set<number>();
  private readonly stateListeners: ((state: JobState) => void)[] = [];
  private waitingLogged = false;

  constructor(private readonly options: JobMasterOptions) {
    this.config = options.config;
    this.log = options.logger;
    this.restartStrategy = createRestartStrategy(options.config.restartStrategy);
    this.graph = options.graph instanceof Error ? null : options.graph;
    this.heartbeatTimer = setInterval(() => this.checkHeartbeats(), options.config.heartbeat.interval);
    if (options.graph instanceof Error) this.failJob(options.graph, null, null);
  }

  get jobId(): string {
    return this.config.job.id;
  }

  get state(): JobState {
    return this.jobState;
  }

  onStateChange(listener: (state: JobState) => void): void {
    this.stateListeners.push(listener);
  }

  /** Stops timers and closes every TaskManager connection (the process is shutting down). */
  close(): void {
    clearInterval(this.heartbeatTimer);
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.coordinator?.stop();
    for (const tm of this.taskManagers.values()) tm.connection.close();
  }

  // ---- RPC ----

  /** Every message of a TaskManager connection; `registered` is the TaskManager once it registered. */
  onMessage(connection: RpcConnection, m: TaskManagerMessage): void {
    if (m.type === 'register') {
      this.register(connection, m);
      return;
    }
    const tm = [...this.taskManagers.values()].find((t) => t.connection === connection);
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
      if (m.attempt === this.attempt) for (const r of m.tasks) this.applyReport(r);
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
        this.answered(m.vertexId, m.subtaskIndex, m.checkpointId);
        this.coordinator?.receiveAck(m);
        return;
      case 'checkpoint-decline':
        this.answered(m.vertexId, m.subtaskIndex, m.checkpointId);
        this.coordinator?.receiveDecline(m);
        return;
    }
  }

  onConnectionClosed(connection: RpcConnection, error: Error | null): void {
    const tm = [...this.taskManagers.values()].find((t) => t.connection === connection);
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
    this.taskManagers.set(m.taskManagerId, {
      id: m.taskManagerId,
      dataAddress: m.dataAddress,
      slots: m.slots,
      connection,
      lastHeard: Date.now(),
      readyAttempt: -1,
      sendBufferedBytes: 0,
    });
    this.send(m.taskManagerId, { type: 'registered', sessionId: this.sessionId, heartbeatInterval: this.config.heartbeat.interval, heartbeatTimeout: this.config.heartbeat.timeout });
    this.log.info({ taskManagerId: m.taskManagerId, dataAddress: m.dataAddress, slots: m.slots }, `TaskManager ${m.taskManagerId} registered`);
    if (this.pending !== null) this.send(m.taskManagerId, { type: 'prepare-attempt', sessionId: this.sessionId, attempt: this.pending.attempt });
    this.schedule();
  }

  private send(taskManagerId: string, message: JobManagerMessage): void {
    this.taskManagers.get(taskManagerId)?.connection.send(message);
  }

  private broadcast(message: JobManagerMessage): void {
    for (const tm of this.taskManagers.values()) tm.connection.send(message);
  }

  // ---- scheduling ----

  get slotsTotal(): number {
    let n = 0;
    for (const tm of this.taskManagers.values()) n += tm.slots;
    return n;
  }

  private schedule(): void {
    const graph = this.graph;
    if (graph === null || (this.jobState !== 'CREATED' && this.jobState !== 'RESTARTING')) return;
    if (this.restartTimer !== null || this.pending !== null) return;
    const needed = requiredSlots(graph);
    if (this.slotsTotal < needed) {
      if (!this.waitingLogged) this.log.info({ needed, registered: this.slotsTotal }, `waiting for ${needed} slots (${this.slotsTotal} registered)`);
      this.waitingLogged = true;
      return;
    }
    this.waitingLogged = false;
    this.attempt++;
    const offers = [...this.taskManagers.values()].map((t) => ({ taskManagerId: t.id, slots: t.slots }));
    const plan = planDeployment(graph, this.jobId, this.attempt, assignSlots(graph, offers), (id) => this.taskManagers.get(id)!.dataAddress);
    this.pending = { attempt: this.attempt, plan };
    this.subtasks = new Map(plan.map((p) => [subtaskKey(p.descriptor.vertexId, p.descriptor.subtaskIndex), { vertexId: p.descriptor.vertexId, subtaskIndex: p.descriptor.subtaskIndex, taskManagerId: p.taskManagerId, status: 'SCHEDULED', report: null }]));
    this.log.info({ attempt: this.attempt, subtasks: plan.length, taskManagers: this.taskManagers.size }, `scheduling attempt ${this.attempt}`);
    this.broadcast({ type: 'prepare-attempt', sessionId: this.sessionId, attempt: this.attempt });
  }

  /** Deploys once every TaskManager fenced its data plane to the new attempt. */
  private deployWhenReady(): void {
    const pending = this.pending;
    if (pending === null || [...this.taskManagers.values()].some((t) => t.readyAttempt !== pending.attempt)) return;
    this.pending = null;
    void this.deploy(pending.attempt, pending.plan);
  }

  private async deploy(attempt: number, plan: SubtaskDeployment[]): Promise<void> {
    let restoreOf: (d: SubtaskDeployment['descriptor']) => unknown = () => undefined;
    try {
      if (this.options.checkpointing) restoreOf = await this.options.checkpointing.restoreFor(this.graph!, attempt);
    } catch (e) {
      if (attempt !== this.attempt || TERMINAL.has(this.jobState)) return;
      if (this.options.checkpointing!.isTransientRestoreFailure(e)) this.restartOrFail(e, null, null);
      else this.failJob(e, null, null);
      return;
    }
    if (attempt !== this.attempt || TERMINAL.has(this.jobState)) return;
    for (const p of plan) {
      const restore = restoreOf(p.descriptor);
      this.subtasks.get(subtaskKey(p.descriptor.vertexId, p.descriptor.subtaskIndex))!.status = 'DEPLOYING';
      this.send(p.taskManagerId, { type: 'deploy', sessionId: this.sessionId, attempt, descriptor: p.descriptor, producers: p.producers, ...(restore === undefined ? {} : { restore }) });
    }
    this.transition('RUNNING');
  }

  private onTaskState(tm: RegisteredTaskManager, m: RpcMessageOf<'task-state'>): void {
    const key = subtaskKey(m.vertexId, m.subtaskIndex);
    const subtask = this.subtasks.get(key);
    if (subtask === undefined) {
      this.log.warn({ taskManagerId: tm.id, task: key }, `ignoring the state of unknown subtask ${key}`);
      return;
    }
    if (m.report) this.applyReport(m.report);
    if (TERMINAL.has(subtask.status as JobState) && m.state !== 'FAILED') return;
    subtask.status = m.state;
    const name = this.taskName(m.vertexId, m.subtaskIndex);
    switch (m.state) {
      case 'RUNNING':
        this.startCheckpointingWhenAllAlive();
        return;
      case 'ENDED':
        this.startCheckpointingWhenAllAlive();
        this.onSubtaskEnded(m.vertexId, m.subtaskIndex);
        return;
      case 'FINISHED':
        if (this.jobState === 'RUNNING' && [...this.subtasks.values()].every((s) => s.status === 'FINISHED')) {
          this.coordinator?.stop();
          this.coordinator = null;
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

  private applyReport(r: SubtaskReport): void {
    const subtask = this.subtasks.get(subtaskKey(r.vertexId, r.subtaskIndex));
    if (subtask !== undefined) subtask.report = r;
  }

  private startCheckpointingWhenAllAlive(): void {
    if (this.coordinator === null && this.jobState === 'RUNNING' && this.allSubtasksAlive()) this.startCheckpointing();
  }

  /** Running, or ended and waiting for the final checkpoint: a checkpoint needs every subtask so. */
  private allSubtasksAlive(): boolean {
    for (const s of this.subtasks.values()) if (s.status !== 'RUNNING' && s.status !== 'ENDED') return false;
    return true;
  }

  private startCheckpointing(): void {
    const hooks = this.options.checkpointing;
    if (!hooks || this.graph === null) return;
    const attempt = this.attempt;
    const sources = new Set(this.graph.vertices.filter((v) => v.isSource).map((v) => v.id));
    this.checkpointInFlight = null;
    this.finalCheckpoints.clear();
    this.coordinator = hooks.createCoordinator({
      jobId: this.jobId,
      graph: this.graph,
      attempt,
      trigger: (checkpointId, timestamp, { savepoint, stop }) => {
        this.checkpointInFlight = { checkpointId, timestamp, savepoint, stop, answered: new Set() };
        const subtasks = [...this.subtasks.values()];
        if (stop || subtasks.every((s) => s.status === 'ENDED')) this.finalCheckpoints.add(checkpointId);
        for (const s of subtasks) {
          // Running non-source subtasks take it when its barriers reach them.
          if (s.status === 'ENDED' || sources.has(s.vertexId)) this.sendTrigger(s.taskManagerId, s.vertexId, s.subtaskIndex, this.checkpointInFlight);
        }
      },
      notifyComplete: (checkpointId) => {
        if (this.checkpointInFlight?.checkpointId === checkpointId) this.checkpointInFlight = null;
        const final = this.finalCheckpoints.delete(checkpointId);
        this.broadcast({ type: 'checkpoint-complete', sessionId: this.sessionId, attempt, checkpointId, ...(final ? { final } : {}) });
        return final;
      },
      notifyAborted: (checkpointId) => {
        if (this.checkpointInFlight?.checkpointId === checkpointId) this.checkpointInFlight = null;
        this.finalCheckpoints.delete(checkpointId);
        this.broadcast({ type: 'checkpoint-aborted', sessionId: this.sessionId, attempt, checkpointId });
      },
      allSubtasksAlive: () => this.attempt === attempt && this.allSubtasksAlive(),
    });
  }

  private sendTrigger(taskManagerId: string, vertexId: string, subtaskIndex: number, c: CheckpointInFlight): void {
    this.send(taskManagerId, {
      type: 'trigger-checkpoint',
      sessionId: this.sessionId,
      attempt: this.attempt,
      vertexId,
      subtaskIndex,
      checkpointId: c.checkpointId,
      timestamp: c.timestamp,
      savepoint: c.savepoint,
      ...(c.stop ? { stop: true } : {}),
    });
  }

  private answered(vertexId: string, subtaskIndex: number, checkpointId: number): void {
    if (this.checkpointInFlight?.checkpointId === checkpointId) this.checkpointInFlight.answered.add(subtaskKey(vertexId, subtaskIndex));
  }

  /**
   * An ended subtask gets no barrier any more: the checkpoint in flight, if it has not answered it,
   * is triggered at it directly (it ignores the trigger should it have taken it at the barrier). Once
   * every subtask ended, the final checkpoint is triggered.
   */
  private onSubtaskEnded(vertexId: string, subtaskIndex: number): void {
    const key = subtaskKey(vertexId, subtaskIndex);
    const c = this.checkpointInFlight;
    if (c !== null && this.coordinator !== null && !c.answered.has(key)) this.sendTrigger(this.subtasks.get(key)!.taskManagerId, vertexId, subtaskIndex, c);
    if (this.coordinator !== null && [...this.subtasks.values()].every((s) => s.status === 'ENDED')) this.coordinator.allSubtasksEnded();
  }

  // ---- failures ----

  private checkHeartbeats(): void {
    const now = Date.now();
    const timeout = this.config.heartbeat.timeout;
    for (const tm of [...this.taskManagers.values()]) {
      if (now - tm.lastHeard > timeout) {
        tm.connection.close();
        this.lost(tm, `TaskManager ${tm.id} (${tm.dataAddress}) missed heartbeats for ${timeout} ms`);
      } else tm.connection.send({ type: 'jm-heartbeat', sessionId: this.sessionId });
    }
  }

  private lost(tm: RegisteredTaskManager, reason: string): void {
    if (this.taskManagers.get(tm.id) !== tm) return;
    this.taskManagers.delete(tm.id);
    // After the job ended, TaskManagers going away is how a cluster shuts down.
    if (TERMINAL.has(this.jobState)) this.log.info({ taskManagerId: tm.id }, reason);
    else this.log.warn({ taskManagerId: tm.id }, reason);
    if (this.pending !== null) {
      // It was being prepared for the next attempt: plan again with the TaskManagers left.
      this.pending = null;
      this.schedule();
      return;
    }
    const hosted = [...this.subtasks.values()].some((s) => s.taskManagerId === tm.id && (s.status === 'DEPLOYING' || s.status === 'RUNNING' || s.status === 'ENDED'));
    if (this.jobState === 'RUNNING' && hosted) this.failover(new Error(reason), null, tm.id);
    // Lost right after another failure of the attempt it ran (a peer's data-plane error came first): still part of the history.
    else if (this.jobState === 'RESTARTING' && [...this.subtasks.values()].some((s) => s.taskManagerId === tm.id)) this.recordException(new Error(reason), null, tm.id);
  }

  /** A failure of the running attempt: cancel everything, then restart or fail per the restart strategy. */
  private failover(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    if (this.jobState !== 'RUNNING') {
      this.recordException(error, taskName, taskManagerId);
      return;
    }
    this.cancelAttempt();
    this.restartOrFail(error, taskName, taskManagerId);
  }

  /** The restart strategy decides: another attempt after its delay, or the job fails. */
  private restartOrFail(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    const decision = this.restartStrategy.onFailure(Date.now());
    if (!decision.restart) {
      const cause = error instanceof Error ? error : new Error(String(error));
      this.failJob(Object.assign(new Error(`${cause.message} (${decision.reason})`), { name: cause.name, stack: cause.stack }), taskName, taskManagerId);
      return;
    }
    this.recordException(error, taskName, taskManagerId);
    this.restarts++;
    this.log.warn({ attempt: this.attempt, delayMs: decision.delay, restarts: this.restarts }, `job failed over: ${(error as Error).message}; restarting in ${decision.delay} ms`);
    this.transition('RESTARTING');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.schedule();
    }, decision.delay);
  }

  private cancelAttempt(): void {
    this.coordinator?.stop();
    this.coordinator = null;
    this.checkpointInFlight = null;
    this.pending = null;
    this.broadcast({ type: 'cancel', sessionId: this.sessionId, attempt: this.attempt });
    for (const s of this.subtasks.values()) if (s.status !== 'FINISHED' && s.status !== 'FAILED') s.status = 'CANCELED';
  }

  private failJob(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    this.recordException(error, taskName, taskManagerId);
    this.log.error({ err: errorInfo(error) }, `job ${this.jobId} failed: ${(error as Error).message}`);
    this.transition('FAILED');
  }

  /** REST `PATCH /jobs/:id?mode=cancel`. */
  cancel(): void {
    if (TERMINAL.has(this.jobState)) return;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.transition('CANCELLING');
    this.cancelAttempt();
    this.transition('CANCELED');
  }

  private recordException(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    const info = errorInfo(error);
    this.exceptions.unshift({ exceptionName: info.name, message: info.message, stacktrace: info.stack, timestamp: Date.now(), taskName, taskManagerId });
    if (this.exceptions.length > MAX_EXCEPTIONS) this.exceptions.length = MAX_EXCEPTIONS;
  }

  private transition(state: JobState): void {
    if (this.jobState === state) return;
    this.log.info({ jobId: this.jobId, from: this.jobState, to: state, attempt: this.attempt }, `job ${this.jobId} ${state}`);
    this.jobState = state;
    if (TERMINAL.has(state)) this.endTime = Date.now();
    for (const l of this.stateListeners) l(state);
  }

  // ---- views for REST and metrics ----

  exceptionHistory(): { rootException: ExceptionInfo | null; history: readonly ExceptionInfo[] } {
    return { rootException: this.exceptions[0] ?? null, history: [...this.exceptions] };
  }

  details(): JobDetails {
    const graph = this.graph;
    const free = this.jobState === 'RUNNING' || this.pending !== null ? Math.max(0, this.slotsTotal - (graph ? requiredSlots(graph) : 0)) : this.slotsTotal;
    return {
      jid: this.jobId,
      name: this.config.job.name,
      state: this.jobState,
      startTime: this.startTime,
      endTime: this.endTime,
      restarts: this.restarts,
      attempt: this.attempt,
      parallelism: this.config.job.parallelism,
      taskManagers: { registered: this.taskManagers.size, slotsTotal: this.slotsTotal, slotsFree: free },
      vertices: (graph?.vertices ?? []).map((v) => ({
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        maxParallelism: v.maxParallelism,
        operatorIds: v.operators.map((o) => o.operatorId),
        subtasks: Array.from({ length: v.parallelism }, (_, i): SubtaskMetrics => {
          const s = this.subtasks.get(subtaskKey(v.id, i));
          const r = s?.report;
          const ops = r?.operators ?? [];
          return {
            subtask: i,
            taskManagerId: s?.taskManagerId ?? null,
            status: s?.status ?? 'SCHEDULED',
            recordsIn: ops[0]?.recordsIn ?? 0,
            recordsOut: ops.at(-1)?.recordsOut ?? 0,
            bytesIn: r?.bytesIn ?? 0,
            bytesOut: r?.bytesOut ?? 0,
            backpressureRatio: r?.backpressureRatio ?? 0,
          };
        }),
      })),
    };
  }

  /** Records in/out per operator over its subtasks, as `sluice run` prints them. */
  operatorResults(): OperatorResult[] {
    return operatorResults(this.graph, [...this.subtasks.values()].flatMap((st) => st.report?.operators ?? []));
  }

  /** Per-subtask reports of the current attempt, for /metrics. */
  subtaskReports(): { vertexName: string; report: SubtaskReport }[] {
    const names = new Map((this.graph?.vertices ?? []).map((v) => [v.id, v.name]));
    return [...this.subtasks.values()].flatMap((s) => (s.report ? [{ vertexName: names.get(s.report.vertexId) ?? s.report.vertexId, report: s.report }] : []));
  }

  private taskName(vertexId: string, subtaskIndex: number): string {
    const v = this.graph?.vertices.find((x) => x.id === vertexId);
    return v ? `${v.name} (${subtaskIndex + 1}/${v.parallelism})` : `${vertexId} (${subtaskIndex + 1})`;
  }
}

function taskError(error: TaskError | undefined): Error {
  const e = new Error(error?.message ?? 'subtask failed without an error');
  e.name = error?.name ?? 'Error';
  e.stack = error?.stack ?? e.stack;
  return e;
}
