import type { Sink, SinkWriter, SinkWriterContext } from '../connectors/sink.ts';
import { TwoPhaseCommitSinkWriter } from '../connectors/two-phase-commit-sink.ts';

/** A transaction's records, as its checkpoint keeps them; `id` makes its commit idempotent. */
interface CollectTransaction<T> {
  readonly id: number;
  readonly values: T[];
}

/**
 * Collects what is committed, as an exactly-once sink publishes it (two-phase commit): records
 * written after a checkpoint's barrier become visible in `values` only when a later checkpoint
 * completes (or at the end of a job without checkpoints). After a failure, what the failed attempt
 * wrote since its last completed checkpoint is never in `values`, and its replay is there once.
 * All subtasks (and attempts in this process) share the instance.
 */
export class ExactlyOnceCollectSink<T> implements Sink<T> {
  /** Committed records, transaction after transaction; within one subtask's transactions in order. */
  readonly values: T[] = [];
  /** Records written, committed or not. */
  written = 0;
  /** Called after every write: a test acts on the job's progress (takes a checkpoint, fails the job). */
  onWrite: (() => void) | undefined;
  private nextTransaction = 0;
  private readonly committed = new Set<number>();

  createWriter(context: SinkWriterContext, restoredState: readonly unknown[]): SinkWriter<T> {
    return new TwoPhaseCommitSinkWriter<T, CollectTransaction<T>>(
      {
        begin: () => {
          const transaction: CollectTransaction<T> = { id: this.nextTransaction++, values: [] };
          return {
            write: (value) => {
              transaction.values.push(value);
              this.written++;
              this.onWrite?.();
            },
            preCommit: () => ({ state: transaction }),
            abort: () => {},
          };
        },
        commit: (transaction) => {
          if (this.committed.has(transaction.id)) return;
          this.committed.add(transaction.id);
          this.values.push(...transaction.values);
        },
      },
      restoredState,
      context.checkpointing,
    );
  }
}
