import type { Logger } from 'pino';
import type { JobGraph } from '../graph/job-graph.ts';
import type { CheckpointStorageLocation } from './checkpoint-location.ts';
import type { CheckpointStatsTracker } from './checkpoint-stats-tracker.ts';
import { CheckpointRetentionError, type CompletedCheckpointStore } from './completed-checkpoint-store.ts';
import { referencedFiles, stateSize, type CheckpointMetadata } from './metadata.ts';
import { PendingCheckpoint, type CheckpointedOperator, type SubtaskStateAck } from './pending-checkpoint.ts';
import type { SavepointStore } from './savepoint-store.ts';
import { joinPath } from '../fs/storage-path.ts';

/** One checkpoint or savepoint as the coordinator triggers it. */
export interface CheckpointTrigger {
  readonly checkpointId: number;
  readonly timestamp: number;
  /** Always the run's chk-<n>, also for savepoints, which are copied to their own directory on completion. */
  readonly location: CheckpointStorageLocation;
  readonly savepoint: boolean;
  /** Stop-with-savepoint: sources emit nothing after its barrier, and the job ends once it completed. */
  readonly stop: boolean;
  /** Aborted with the checkpoint (timeout, decline, coordinator stopped): uploads for it may stop. */
  readonly signal: AbortSignal;
}

/** What the coordinator drives: the running job's tasks, in this process or through RPC. */
export interface CheckpointTarget {
  /**
   * Injects the barrier at every running source subtask and triggers ended subtasks directly, so
   * state goes below `trigger.location`. Throws when it cannot.
   */
  triggerCheckpoint(trigger: CheckpointTrigger): void;
  /**
   * Tells the tasks (transactional sinks commit). True when it was the job's final checkpoint
   * (every subtask had ended, or a stop-with-savepoint): the tasks exit and nothing more is triggered.
   */
  notifyCheckpointComplete(checkpointId: number): boolean;
  /** A checkpoint was aborted: sources stopped by a stop-with-savepoint emit again. */
  notifyCheckpointAborted?(checkpointId: number): void;
}

export interface CheckpointCoordinatorOptions {
  readonly jobId: string;
  /** Every operator of the job with its parallelism: the metadata records all of them. */
  readonly operators: readonly CheckpointedOperator[];
  /** Subtasks that must acknowledge. */
  readonly subtasks: number;
  readonly checkpoints: CompletedCheckpointStore;
  readonly savepoints: SavepointStore;
  readonly target: CheckpointTarget;
  readonly stats: CheckpointStatsTracker;
  readonly logger: Logger;
  /** Milliseconds between checkpoints; absent: only savepoints. */
  readonly interval?: number;
  readonly timeout: number;
  readonly minPause: number;
  /** The least id of the first checkpoint (above an earlier attempt's); it is also above every chk-<n> in storage. */
  readonly minCheckpointId?: number;
  /**
   * Runs after the retention of every completed checkpoint, in the same chain (the older runs'
   * cleanup); it reports its own failures and must not reject.
   */
  readonly afterRetention?: () => Promise<void>;
}

/** What a completed checkpoint or savepoint is known by. */
export interface CompletedCheckpointInfo {
  readonly checkpointId: number;
  readonly savepoint: boolean;
  /** Storage URI of its directory. */
  readonly path: string;
  readonly stateSize: number;
}

export class CheckpointAbortedError extends Error {
  override readonly name = 'CheckpointAbortedError';
}

/** The operators and subtask count of a job graph, as the coordinator needs them. */
export function checkpointedTopology(graph: JobGraph): { operators: CheckpointedOperator[]; subtasks: number } {
  return {
    operators: graph.vertices.flatMap((v) =>
      v.operators.map((n) => ({
        operatorId: n.operatorId,
        parallelism: v.parallelism,
        maxParallelism: v.maxParallelism,
        ...(n.uid === undefined ? {} : { uid: n.uid }),
        name: n.name,
        keyed: n.keySelector !== undefined,
      })),
    ),
    subtasks: graph.vertices.reduce((sum, v) => sum + v.parallelism, 0),
  };
}

interface InFlight {
  readonly pending: PendingCheckpoint;
  readonly abort: AbortController;
  /** For savepoints: where they go, by default a new sp-<timestamp> of the job. */
  readonly savepointLocation: CheckpointStorageLocation | undefined;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (info: CompletedCheckpointInfo) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The JobManager's checkpoint coordinator (Flink's CheckpointCoordinator): triggers checkpoints
 * periodically (interval, timeout, minimum pause, at most one in flight) and savepoints on request,
 * collects the subtasks' acknowledgements with their state handles, writes `_metadata` last, then
 * tells the tasks so that transactional sinks commit, and applies retention (one run at a time). A
 * checkpoint that times out, is declined or cannot be completed is aborted: its JobManager-side
 * writes are cancelled through an AbortSignal, its files discarded; the job goes on and the next
 * one is tried. After the job's final checkpoint (the target says so) nothing more is triggered.
 */
export class CheckpointCoordinator {
  private nextId = 0;
  private inFlight: InFlight | undefined;
  /** Savepoint requests wait for the checkpoint in flight. */
  private readonly queued: Array<{ savepoint: boolean; stop: boolean; targetLocation?: CheckpointStorageLocation; resolve: (i: CompletedCheckpointInfo) => void; reject: (e: Error) => void }> = [];
  private periodicTimer: NodeJS.Timeout | undefined;
  private lastTrigger = 0;
  private lastEnd = 0;
  private running = false;
  private stopped = false;
  /** A checkpoint is being triggered or is in flight: at most one at a time. */
  private busy = false;
  private starting: Promise<void> | undefined;
  /** Retention runs one after the other, and the next checkpoint completes only after the previous run. */
  private retention: Promise<void> = Promise.resolve();

  constructor(private readonly options: CheckpointCoordinatorOptions) {}

  /** Finds the next free checkpoint id in storage, then starts periodic checkpoints if an interval is set. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      this.nextId = Math.max(this.options.minCheckpointId ?? 1, await this.options.checkpoints.nextCheckpointId());
      if (this.stopped) return;
      // The first periodic checkpoint comes one interval after the start, as every later one.
      this.lastTrigger = Date.now();
      this.running = true;
      this.scheduleNext();
    })();
    return this.starting;
  }

  /** Stops triggering and aborts what is in flight (the job ended, failed or is being restarted). */
  stop(reason = 'the checkpoint coordinator stopped'): void {
    this.running = false;
    this.stopped = true;
    clearTimeout(this.periodicTimer);
    this.periodicTimer = undefined;
    if (this.inFlight) this.abort(this.inFlight, reason);
    for (const q of this.queued.splice(0)) q.reject(new CheckpointAbortedError(reason));
  }

  /** Takes a checkpoint now (after the one in flight, if any): the final one, once every subtask ended. */
  triggerCheckpoint(): Promise<CompletedCheckpointInfo> {
    return this.enqueue(false, false);
  }

  /**
   * Takes a savepoint under the job's savepoints directory, or at `targetLocation`. With `stop`, the
   * sources emit nothing after its barrier and the job ends (FINISHED) once it completed.
   */
  triggerSavepoint(targetLocation?: CheckpointStorageLocation, stop = false): Promise<CompletedCheckpointInfo> {
    return this.enqueue(true, stop, targetLocation);
  }

  /** Resolves when the retention started by every checkpoint completed so far has run. */
  retentionApplied(): Promise<void> {
    return this.retention;
  }

  /** A subtask's acknowledgement; late ones of an aborted checkpoint are ignored. */
  acknowledge(ack: SubtaskStateAck): void {
    const f = this.inFlight;
    if (!f || f.pending.checkpointId !== ack.checkpointId) {
      this.options.logger.debug({ checkpointId: ack.checkpointId, vertexId: ack.vertexId, subtask: ack.subtaskIndex }, 'late acknowledgement ignored');
      return;
    }
    if (!f.pending.acknowledge(ack) || !f.pending.isFullyAcknowledged) return;
    this.complete(f).catch((error: unknown) => this.abort(f, `completing failed: ${(error as Error).message}`));
  }

  /** A subtask could not take or upload its snapshot. */
  decline(checkpointId: number, reason: string): void {
    const f = this.inFlight;
    if (f && f.pending.checkpointId === checkpointId) this.abort(f, reason);
  }

  /** The id the next checkpoint will take. */
  get nextCheckpointId(): number {
    return this.nextId;
  }

  get pendingCheckpointId(): number | undefined {
    return this.inFlight?.pending.checkpointId;
  }

  private enqueue(savepoint: boolean, stop: boolean, targetLocation?: CheckpointStorageLocation): Promise<CompletedCheckpointInfo> {
    return new Promise((resolve, reject) => {
      const add = () => {
        if (!this.running) {
          reject(new CheckpointAbortedError(`cannot take a ${savepoint ? 'savepoint' : 'checkpoint'} of job ${this.options.jobId}: the checkpoint coordinator is not running`));
          return;
        }
        this.queued.push({ savepoint, stop, targetLocation, resolve, reject });
        if (!this.busy) this.triggerQueued();
      };
      // A request while the coordinator starts (a short job whose subtasks all ended at once) waits for it.
      if (!this.running && !this.stopped && this.starting) this.starting.then(add, add);
      else add();
    });
  }

  private scheduleNext(): void {
    clearTimeout(this.periodicTimer);
    this.periodicTimer = undefined;
    const interval = this.options.interval;
    if (!this.running || interval === undefined || this.busy) return;
    const now = Date.now();
    const at = Math.max(this.lastTrigger + interval, this.lastEnd + this.options.minPause);
    this.periodicTimer = setTimeout(() => {
      this.periodicTimer = undefined;
      if (this.running && !this.busy) this.triggerPeriodic();
    }, Math.max(0, at - now));
  }

  private triggerPeriodic(): void {
    this.trigger(false, false, undefined).catch(() => {
      // Failed periodic checkpoints are logged and counted by abort(); the next one is scheduled.
    });
  }

  private triggerQueued(): void {
    const next = this.queued.shift();
    if (next) this.trigger(next.savepoint, next.stop, next.targetLocation).then(next.resolve, next.reject);
  }

  private async trigger(savepoint: boolean, stop: boolean, targetLocation: CheckpointStorageLocation | undefined): Promise<CompletedCheckpointInfo> {
    const { options } = this;
    this.busy = true;
    const checkpointId = this.nextId++;
    const timestamp = Date.now();
    this.lastTrigger = timestamp;
    options.stats.reportPending(checkpointId, savepoint, timestamp);
    const location = options.checkpoints.location(checkpointId);
    let savepointLocation: CheckpointStorageLocation | undefined;
    try {
      if (savepoint) savepointLocation = targetLocation ?? (await options.savepoints.newLocation(timestamp));
    } catch (error) {
      options.stats.reportFailed(checkpointId, (error as Error).message);
      this.ended();
      throw error;
    }
    return new Promise<CompletedCheckpointInfo>((resolve, reject) => {
      const pending = new PendingCheckpoint(checkpointId, timestamp, savepoint, location, options.subtasks);
      const timer = setTimeout(() => this.abort(this.inFlight!, `not completed within ${options.timeout} ms`), options.timeout);
      const abort = new AbortController();
      const f: InFlight = { pending, abort, savepointLocation, timer, resolve, reject };
      this.inFlight = f;
      options.logger.debug({ checkpointId, savepoint, stop, location: (savepointLocation ?? location).uri }, 'triggering checkpoint');
      try {
        options.target.triggerCheckpoint({ checkpointId, timestamp, location, savepoint, stop, signal: abort.signal });
      } catch (error) {
        this.abort(f, (error as Error).message);
      }
    });
  }

  private async complete(f: InFlight): Promise<void> {
    const { pending } = f;
    const { options } = this;
    const metadata = pending.metadata(options.jobId, options.operators);
    // Retention of the previous completion first: it never sees this checkpoint half written, and never runs twice at once.
    await this.retention;
    f.abort.signal.throwIfAborted();
    const written = f.savepointLocation ?? pending.location;
    let path: string;
    if (f.savepointLocation) {
      await copyStateFiles(pending.location, f.savepointLocation, metadata, f.abort.signal);
      f.abort.signal.throwIfAborted();
      path = await f.savepointLocation.writeMetadata(metadata);
      pending.location.discard().catch((error: unknown) => options.logger.warn({ err: error }, 'removing the staging directory of a savepoint failed'));
    } else path = await pending.location.writeMetadata(metadata);
    if (this.inFlight !== f) {
      // Aborted (timed out) while `_metadata` was being written: abort() discarded the directory
      // already, but the write may have landed after; nothing of an aborted checkpoint may look complete.
      await written.discard();
      return;
    }
    clearTimeout(f.timer);
    this.inFlight = undefined;
    const info: CompletedCheckpointInfo = { checkpointId: pending.checkpointId, savepoint: pending.savepoint, path, stateSize: stateSize(metadata) };
    options.stats.reportCompleted(pending.checkpointId, {
      stateSize: info.stateSize,
      alignmentDuration: pending.alignmentDurationMs,
      externalPath: path,
      latestAckTimestamp: pending.latestAckTimestamp,
    });
    options.logger.info({ checkpointId: info.checkpointId, savepoint: info.savepoint, path, stateSize: info.stateSize, durationMs: Date.now() - pending.timestamp }, 'checkpoint completed');
    if (!pending.savepoint) {
      options.checkpoints.markVerified(pending.checkpointId);
      this.retention = this.retention.then(() => this.applyRetention()).then(() => options.afterRetention?.());
    }
    const jobEnds = options.target.notifyCheckpointComplete(pending.checkpointId);
    if (jobEnds) {
      // The tasks exit now: what is queued cannot be taken, and nothing more is triggered.
      this.running = false;
      clearTimeout(this.periodicTimer);
      for (const q of this.queued.splice(0)) q.reject(new CheckpointAbortedError(`job ${options.jobId} ended with checkpoint ${pending.checkpointId}`));
    }
    f.resolve(info);
    this.ended();
  }

  /** A failed retention does not fail the job: it is reported (warning, REST, metrics) and the next one tries again. */
  private async applyRetention(): Promise<void> {
    const { options } = this;
    try {
      await options.checkpoints.applyRetention();
      options.stats.reportRetentionSucceeded();
    } catch (error) {
      const leftBehind = error instanceof CheckpointRetentionError ? error.leftBehind : null;
      const message = (error as Error).message;
      options.stats.reportRetentionFailed(message, leftBehind);
      options.logger.warn(
        { err: error, leftBehind, retained: options.checkpoints.retained },
        `deleting old checkpoints failed, ${leftBehind ?? 'an unknown number of'} checkpoint(s) left behind in storage: ${message}`,
      );
    }
  }

  private abort(f: InFlight, reason: string): void {
    if (this.inFlight !== f) return;
    clearTimeout(f.timer);
    this.inFlight = undefined;
    const { pending } = f;
    const message = `${pending.savepoint ? 'savepoint' : 'checkpoint'} ${pending.checkpointId} of job ${this.options.jobId} aborted: ${reason}`;
    f.abort.abort(new CheckpointAbortedError(message));
    this.options.stats.reportFailed(pending.checkpointId, reason);
    this.options.logger.warn({ checkpointId: pending.checkpointId, reason }, 'checkpoint aborted');
    for (const location of [pending.location, f.savepointLocation]) {
      location?.discard().catch((error: unknown) => this.options.logger.warn({ err: error, location: location.uri }, 'discarding an aborted checkpoint failed'));
    }
    try {
      this.options.target.notifyCheckpointAborted?.(pending.checkpointId);
    } catch (error) {
      this.options.logger.warn({ err: error, checkpointId: pending.checkpointId }, 'telling the tasks of an aborted checkpoint failed');
    }
    f.reject(new CheckpointAbortedError(message));
    this.ended();
  }

  private ended(): void {
    this.lastEnd = Date.now();
    this.busy = false;
    if (!this.running) return;
    if (this.queued.length > 0) this.triggerQueued();
    else this.scheduleNext();
  }
}

/** A savepoint owns its files: the state written into the run's chk-<n> is copied beside its `_metadata`. */
async function copyStateFiles(from: CheckpointStorageLocation, to: CheckpointStorageLocation, metadata: CheckpointMetadata, signal: AbortSignal): Promise<void> {
  await Promise.all(
    [...referencedFiles(metadata).keys()].map(async (path) => to.storage.write(joinPath(to.directory, path), await from.storage.read(joinPath(from.directory, path)), { signal })),
  );
}
