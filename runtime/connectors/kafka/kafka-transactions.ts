import { randomUUID } from 'node:crypto';
import { Producer } from '@platformatic/kafka';
import type { SinkWriterContext } from '../sink.ts';
import type { PendingTransaction, PreCommitted, SinkTransaction, SinkTransactions } from '../two-phase-commit-sink.ts';
import { CLIENT_RETRIES } from './client-retries.ts';
import { bootstrapBrokers } from './bootstrap-servers.ts';
import { kafkaError } from './kafka-error.ts';
import { produceBufferOptions, type KafkaSinkOptions } from './kafka-sink-options.ts';
import { ProduceBuffer, type KafkaMessage } from './produce-buffer.ts';
import { messageFactory } from './producer-record.ts';
import { endTransaction, fenceTransactionalId, TRANSACTIONAL_PRODUCER, type OpenTransaction } from './transactions.ts';

/**
 * One writer's transactional ids, `<owner>-<sequence>`, and where its newest pre-committed
 * transaction ends: ids from `next` on may have been used after that snapshot, so a restore fences them.
 * The owner ends in a random run id, so no two writers (another attempt, another subtask after
 * rescaling) ever share a transactional id.
 */
export interface KafkaWriterPosition {
  readonly owner: string;
  next: number;
}

/**
 * A pre-committed transaction in a checkpoint: Flink's KafkaCommittable (transactional id, producer
 * id and epoch: enough for another process to commit it), or null when its interval wrote nothing.
 * `writer` is one object shared by every pending entry of a writer and advanced at each pre-commit
 * (before the next transaction begins), so each entry of a snapshot names the writer's position at that snapshot: whichever
 * subtask a rescale gives an entry to can fence the writer's later transactions.
 */
export interface KafkaTransactionState {
  readonly writer: KafkaWriterPosition;
  readonly transaction: OpenTransaction | null;
}

/**
 * KafkaSink's exactly-once transactions for one subtask (README.md in this folder). A transaction
 * is one producer with its own transactional id, begun when the previous one is pre-committed; the
 * writer takes no records until it has begun (InitProducerId), so the checkpoint state can name its
 * producer id and epoch. At a barrier its records are flushed and the checkpoint is acknowledged once
 * the broker has them all; the transaction stays open until the checkpoint completes and commits it.
 * A restored writer commits the restored transactions (EndTxn with the recorded producer id and
 * epoch; committing a committed transaction again changes nothing) and fences every id its
 * predecessors may have begun after their snapshot (InitProducerId on `<owner>-<next>`,
 * `<owner>-<next+1>`, ... until an id comes back at epoch 0, never used), which aborts their open
 * transactions; its first checkpoint is acknowledged only once that is done.
 */
export class KafkaTransactions<T> implements SinkTransactions<T, KafkaTransactionState> {
  readonly position: KafkaWriterPosition;
  readonly toMessage: (value: T, timestamp: number) => KafkaMessage;
  /** Sequence of the next transaction to begin. */
  private sequence = 0;
  /** Pre-committed transactions of this writer, by transactional id, until committed. */
  private readonly live = new Map<string, KafkaTransaction<T>>();
  /** The fencing of the restored writers' later transactions; undefined once done or when there is none. */
  recovery: Promise<void> | undefined;

  constructor(
    readonly options: KafkaSinkOptions<T>,
    readonly context: SinkWriterContext,
    restored: readonly unknown[],
  ) {
    const prefix = options.transactionalIdPrefix ?? `sluice-${options.topic}`;
    this.position = { owner: `${prefix}-${context.subtaskIndex}-${randomUUID().slice(0, 8)}`, next: 0 };
    this.toMessage = messageFactory(options.topic, options.serialize);
    const writers = restoredWriters(restored);
    if (writers.length > 0) {
      const recovery = fenceLater(options.bootstrapServers, writers).then(
        () => {
          this.recovery = undefined;
        },
        (error: unknown) => Promise.reject(kafkaError(`KafkaSink: cannot abort the transactions of the failed run at ${options.bootstrapServers}`, error)),
      );
      // Reported by the first checkpoint, whose acknowledgement waits for it.
      recovery.catch(() => {});
      this.recovery = recovery;
    }
  }

  begin(): SinkTransaction<T, KafkaTransactionState> {
    const sequence = this.sequence++;
    return new KafkaTransaction(this, `${this.position.owner}-${sequence}`, sequence);
  }

  commit(state: KafkaTransactionState): Promise<void> | undefined {
    const transaction = state.transaction;
    if (transaction === null) return undefined;
    const live = this.live.get(transaction.transactionalId);
    if (live !== undefined) return live.commit().then(() => void this.live.delete(transaction.transactionalId));
    // A transaction of a restored checkpoint, begun by a writer that is gone.
    return endTransaction(this.options.bootstrapServers, transaction).catch((error: unknown) =>
      Promise.reject(kafkaError(`KafkaSink: cannot commit transaction ${transaction.transactionalId} of a completed checkpoint`, error)),
    );
  }

  /** Transaction `sequence` is pre-committed: the writer's state entries name the ids after it from now on. */
  preCommitting(sequence: number): KafkaWriterPosition {
    this.position.next = sequence + 1;
    return this.position;
  }

  preCommitted(transaction: KafkaTransaction<T>): void {
    this.live.set(transaction.transactionalId, transaction);
  }

  close(): void {
    // Pre-committed transactions stay open: a checkpoint that completed may still need them.
    for (const transaction of this.live.values()) transaction.release();
    this.live.clear();
  }
}

/** The client's transaction, as `beginTransaction()` gives it (the type is not exported). */
type Transaction = Awaited<ReturnType<Producer['beginTransaction']>>;

class KafkaTransaction<T> implements SinkTransaction<T, KafkaTransactionState> {
  private readonly producer: Producer;
  private readonly begun: Promise<Transaction>;
  private transaction: Transaction | undefined;
  private beginFailure: { error: unknown } | undefined;
  private readonly buffer: ProduceBuffer;
  private records = 0;

  constructor(
    private readonly transactions: KafkaTransactions<T>,
    readonly transactionalId: string,
    private readonly sequence: number,
  ) {
    const { options, context } = transactions;
    this.producer = new Producer({ clientId: `sluice-sink-${context.subtaskIndex}`, bootstrapBrokers: bootstrapBrokers(options.bootstrapServers), transactionalId, ...TRANSACTIONAL_PRODUCER, ...CLIENT_RETRIES });
    this.begun = this.producer.beginTransaction().then(
      (transaction) => (this.transaction = transaction),
      (error: unknown) => {
        const failure = kafkaError(`KafkaSink: cannot begin transaction ${transactionalId} at ${options.bootstrapServers}`, error);
        this.beginFailure = { error: failure };
        return Promise.reject(failure);
      },
    );
    this.begun.catch(() => {});
    const what = `KafkaSink: cannot write to topic "${options.topic}" at ${options.bootstrapServers}`;
    this.buffer = new ProduceBuffer(
      (messages) => this.transaction!.send({ messages }).catch((error: unknown) => Promise.reject(kafkaError(what, error))),
      produceBufferOptions(options),
    );
  }

  write(value: T, timestamp: number): void {
    if (this.beginFailure !== undefined) throw this.beginFailure.error;
    this.buffer.write(this.transactions.toMessage(value, timestamp));
    this.records++;
  }

  /** No records until the transaction has begun; a failed begin says so at the next write. */
  isAvailable(): boolean {
    if (this.beginFailure !== undefined) return true;
    return this.transaction !== undefined && this.buffer.isAvailable();
  }

  availability(): Promise<void> {
    if (this.transaction === undefined) return this.begun.then(() => this.buffer.availability(), () => undefined);
    return this.buffer.availability();
  }

  preCommit(): PreCommitted<KafkaTransactionState> {
    if (this.beginFailure !== undefined) throw this.beginFailure.error;
    const writer = this.transactions.preCommitting(this.sequence);
    const recovery = this.transactions.recovery;
    if (this.records === 0) {
      // Nothing to commit: the transaction never reached the broker (no partition was added).
      this.release();
      return recovery === undefined ? { state: { writer, transaction: null } } : { state: { writer, transaction: null }, durable: recovery };
    }
    if (this.transaction === undefined) throw new Error(`KafkaSink: transaction ${this.transactionalId} took records before it had begun`);
    this.transactions.preCommitted(this);
    const state = { writer, transaction: { transactionalId: this.transactionalId, producerId: this.producer.producerId!, producerEpoch: this.producer.producerEpoch! } };
    return { state, durable: Promise.all([this.buffer.flush(), recovery]).then(() => undefined) };
  }

  commit(): Promise<void> {
    return this.transaction!.commit().then(
      () => this.release(),
      (error: unknown) => Promise.reject(kafkaError(`KafkaSink: cannot commit transaction ${this.transactionalId}`, error)),
    );
  }

  abort(): void {
    const aborted = this.transaction !== undefined && this.records > 0 ? this.buffer.flush().then(() => this.transaction!.abort()) : Promise.resolve();
    // Best effort: a restored writer fences this id anyway.
    aborted.catch(() => {}).finally(() => this.release());
  }

  /** Closes the producer; an open transaction stays as it is on the broker. */
  release(): void {
    this.producer.close(true, () => {});
  }
}

/** The writers named by restored entries, each at its newest position. */
function restoredWriters(restored: readonly unknown[]): KafkaWriterPosition[] {
  const newest = new Map<string, number>();
  for (const entry of restored) {
    const writer = (entry as PendingTransaction<KafkaTransactionState>)?.state?.writer;
    if (typeof writer?.owner !== 'string' || !Number.isSafeInteger(writer.next)) throw new Error(`KafkaSink: invalid restored state ${JSON.stringify(entry, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
    newest.set(writer.owner, Math.max(writer.next, newest.get(writer.owner) ?? 0));
  }
  return [...newest].map(([owner, next]) => ({ owner, next }));
}

/** Fences each writer's ids from its `next` on, up to the first one nobody had used. */
async function fenceLater(bootstrapServers: string, writers: KafkaWriterPosition[]): Promise<void> {
  await Promise.all(
    writers.map(async ({ owner, next }) => {
      for (let sequence = next; ; sequence++) if ((await fenceTransactionalId(bootstrapServers, `${owner}-${sequence}`)) === 0) return;
    }),
  );
}
