import type { Sink, SinkWriter, SinkWriterContext, SinkWriterSnapshot } from './sink.ts';

/** A transaction ended by `preCommit`: the state that commits it, and its data's way to durability. */
export interface PreCommitted<S> {
  /** Plain data, kept in the checkpoint. */
  readonly state: S;
  /** Resolves once the data is durable (an upload finished); absent when it already is. */
  readonly durable?: Promise<void>;
}

/**
 * One transaction of a transactional sink: records go in, `preCommit` makes them durable but not
 * visible, at once or asynchronously.
 */
export interface SinkTransaction<T, S> {
  write(value: T, timestamp: number): void;
  /** See SinkWriter.isAvailable: false while the transaction's upload is behind its records. */
  isAvailable?(): boolean;
  availability?(): Promise<void>;
  preCommit(): PreCommitted<S>;
  /** Drops what was written (the task is cancelled or failed before the transaction's checkpoint). */
  abort(): void;
}

/** What a concrete transactional sink provides per subtask. */
export interface SinkTransactions<T, S> {
  begin(): SinkTransaction<T, S>;
  /**
   * Makes a pre-committed transaction visible, at once or by the returned promise. Must be
   * idempotent: after a restart the same transaction may be committed again, and the second commit
   * must change nothing.
   */
  commit(state: S): void | Promise<void>;
  /** The writer is closed: release what the transactions share once their running work is done. */
  close?(): void;
}

/** A pre-committed transaction as kept in the sink's operator state. */
export interface PendingTransaction<S> {
  readonly checkpointId: number;
  readonly state: S;
}

interface Pending<S> extends PendingTransaction<S> {
  readonly durable: Promise<void> | undefined;
}

/**
 * Two-phase commit (Flink's TwoPhaseCommitSinkFunction): at a checkpoint barrier the open
 * transaction is pre-committed and becomes part of the snapshot, and a new one begins; the
 * checkpoint is acknowledged once the transaction's data is durable; when the checkpoint completes,
 * its transactions (and older ones) commit, one at a time and in order. A transaction stays in every
 * snapshot until its commit succeeded, so a failed commit is retried at the next notice and a
 * completion notice lost in a crash loses nothing: transactions restored from a checkpoint were
 * pre-committed before a checkpoint that completed, so they commit at once, and idempotent commits
 * never publish twice. Commits stay synchronous for sinks whose commits are.
 *
 * A pre-committed transaction whose data did not become durable (a failed upload) cannot be
 * recovered from this writer: the next write, snapshot or finish throws its error, so the task fails
 * and restarts from the last completed checkpoint.
 */
export class TwoPhaseCommitSinkWriter<T, S> implements SinkWriter<T> {
  private current: SinkTransaction<T, S> | undefined;
  /** Pre-committed transactions not known to be committed, oldest first. */
  private pending: Pending<S>[];
  /** Settles when the asynchronous commits started so far are done (never rejects). */
  private committing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly transactions: SinkTransactions<T, S>,
    restored: readonly unknown[],
    private readonly checkpointing: boolean,
  ) {
    this.pending = restored.map((entry) => ({ ...(entry as PendingTransaction<S>), durable: undefined }));
    // A restored transaction whose commit fails stays pending: the next notice retries it and reports the failure.
    this.commitThrough(Number.POSITIVE_INFINITY)?.catch(() => {});
    this.current = transactions.begin();
  }

  write(value: T, timestamp: number): void {
    if (this.failure !== undefined) throw this.failure.error;
    this.current!.write(value, timestamp);
  }

  isAvailable(): boolean {
    return this.current?.isAvailable?.() ?? true;
  }

  availability(): Promise<void> {
    return this.current?.availability?.() ?? Promise.resolve();
  }

  snapshotState(checkpointId: number): SinkWriterSnapshot {
    this.throwIfFailed();
    this.preCommitCurrent(checkpointId);
    this.current = this.transactions.begin();
    const durable = this.pending.flatMap((p) => (p.durable ? [p.durable] : []));
    const state = this.pending.map(({ checkpointId: id, state: s }) => ({ checkpointId: id, state: s }));
    if (durable.length === 0) return { state };
    const asyncPhase = Promise.all(durable).then(() => undefined);
    // Its rejection goes to whoever acknowledges the checkpoint, and to the next write through `failure`.
    asyncPhase.catch(() => {});
    return { state, asyncPhase };
  }

  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.commitThrough(checkpointId);
  }

  /**
   * End of input. With checkpointing, the task's final checkpoint pre-commits the open transaction
   * and its completion commits it, so nothing is published past a checkpoint; without, everything
   * written is final and commits now.
   */
  finish(): void | Promise<void> {
    this.throwIfFailed();
    if (this.checkpointing) return;
    const last = this.preCommitCurrent(Number.POSITIVE_INFINITY);
    this.current = undefined;
    if (last === undefined) return this.commitThrough(Number.POSITIVE_INFINITY);
    return last.then(() => {
      this.throwIfFailed();
      return this.commitThrough(Number.POSITIVE_INFINITY);
    });
  }

  close(): void {
    this.current?.abort();
    this.current = undefined;
    this.transactions.close?.();
  }

  private preCommitCurrent(checkpointId: number): Promise<void> | undefined {
    const { state, durable } = this.current!.preCommit();
    durable?.catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.pending.push({ checkpointId, state, durable });
    return durable;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Commits the pending transactions up to `checkpointId`, after the commits already running. */
  private commitThrough(checkpointId: number): void | Promise<void> {
    const running = this.committing;
    const result = running === undefined ? this.commitPending(checkpointId) : running.then(() => this.commitPending(checkpointId));
    if (result === undefined) return;
    const settled: Promise<void> = result.then(
      () => this.settle(settled),
      () => this.settle(settled),
    );
    this.committing = settled;
    return result;
  }

  private settle(settled: Promise<void>): void {
    if (this.committing === settled) this.committing = undefined;
  }

  /** Commits in checkpoint order, synchronously as long as the commits are; a failed one stays first. */
  private commitPending(checkpointId: number): void | Promise<void> {
    while (this.pending.length > 0 && this.pending[0]!.checkpointId <= checkpointId) {
      const result = this.transactions.commit(this.pending[0]!.state);
      if (result !== undefined) {
        return result.then(() => {
          this.pending.shift();
          return this.commitPending(checkpointId);
        });
      }
      this.pending.shift();
    }
  }
}

/** Base of sinks with exactly-once output through two-phase commit. */
export abstract class TwoPhaseCommitSink<T, S> implements Sink<T> {
  protected abstract createTransactions(context: SinkWriterContext): SinkTransactions<T, S>;

  createWriter(context: SinkWriterContext, restoredState: readonly unknown[]): SinkWriter<T> {
    return new TwoPhaseCommitSinkWriter(this.createTransactions(context), restoredState, context.checkpointing);
  }
}
