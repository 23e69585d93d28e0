import type { Sink, SinkWriter, SinkWriterContext } from './sink.ts';

/**
 * One transaction of a transactional sink: records go in, `preCommit` makes them durable but not
 * visible and returns the state that commits them (plain data, kept in the checkpoint).
 */
export interface SinkTransaction<T, S> {
  write(value: T, timestamp: number): void;
  preCommit(): S;
  /** Drops what was written (the task is cancelled or failed before the transaction's checkpoint). */
  abort(): void;
}

/** What a concrete transactional sink provides per subtask. */
export interface SinkTransactions<T, S> {
  begin(): SinkTransaction<T, S>;
  /**
   * Makes a pre-committed transaction visible. Must be idempotent: after a restart the same
   * transaction may be committed again, and the second commit must change nothing.
   */
  commit(state: S): void;
}

/** A pre-committed transaction as kept in the sink's operator state. */
export interface PendingTransaction<S> {
  readonly checkpointId: number;
  readonly state: S;
}

/**
 * Two-phase commit (Flink's TwoPhaseCommitSinkFunction): at a checkpoint barrier the open
 * transaction is pre-committed and becomes part of the snapshot, and a new one begins; when the
 * checkpoint completes, its transactions (and older ones) commit. Transactions restored from a
 * checkpoint were pre-committed before a checkpoint that completed, so they commit at once: a
 * completion notice lost in a crash loses nothing, and idempotent commits never publish twice.
 */
export class TwoPhaseCommitSinkWriter<T, S> implements SinkWriter<T> {
  private current: SinkTransaction<T, S> | undefined;
  private pending: PendingTransaction<S>[] = [];

  constructor(
    private readonly transactions: SinkTransactions<T, S>,
    restored: readonly unknown[],
  ) {
    for (const entry of restored) transactions.commit((entry as PendingTransaction<S>).state);
    this.current = transactions.begin();
  }

  write(value: T, timestamp: number): void {
    this.current!.write(value, timestamp);
  }

  snapshotState(checkpointId: number): unknown[] {
    this.pending.push({ checkpointId, state: this.current!.preCommit() });
    this.current = this.transactions.begin();
    return [...this.pending];
  }

  notifyCheckpointComplete(checkpointId: number): void {
    let n = 0;
    while (n < this.pending.length && this.pending[n]!.checkpointId <= checkpointId) this.transactions.commit(this.pending[n++]!.state);
    if (n > 0) this.pending = this.pending.slice(n);
  }

  /** End of input: everything written is final, so it commits without waiting for a checkpoint. */
  finish(): void {
    const last = this.current!.preCommit();
    this.current = undefined;
    for (const p of this.pending) this.transactions.commit(p.state);
    this.pending = [];
    this.transactions.commit(last);
  }

  close(): void {
    this.current?.abort();
    this.current = undefined;
  }
}

/** Base of sinks with exactly-once output through two-phase commit. */
export abstract class TwoPhaseCommitSink<T, S> implements Sink<T> {
  protected abstract createTransactions(context: SinkWriterContext): SinkTransactions<T, S>;

  createWriter(context: SinkWriterContext, restoredState: readonly unknown[]): SinkWriter<T> {
    return new TwoPhaseCommitSinkWriter(this.createTransactions(context), restoredState);
  }
}
