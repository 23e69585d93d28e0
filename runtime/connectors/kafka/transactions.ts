import { Connection, endTxnV4, FindCoordinatorKeyTypes, findCoordinatorV4, ProduceAcks, Producer } from '@platformatic/kafka';
import { CLIENT_RETRIES } from './client-retries.ts';
import { bootstrapBrokers, parseBootstrapServers } from './bootstrap-servers.ts';

/**
 * Settings of a transactional @platformatic/kafka producer.
 *
 * - `producerId: -1n, producerEpoch: -1`: the client's InitProducerId sends producer id 0 and epoch
 *   0 unless told otherwise, which the coordinator reads as "bump the epoch of producer 0" and
 *   answers PRODUCER_FENCED for any transactional.id used before; -1/-1 is what a new producer must
 *   send (as Java's client does), so that it fences the previous producer of its transactional.id
 *   and aborts that producer's open transaction.
 * - `timeout`: the client sends its request timeout (default 5 s) as the transaction timeout, after
 *   which the coordinator aborts an open transaction (a commit 17 s after the first send failed with
 *   PRODUCER_FENCED). 15 minutes is the broker's default `transaction.max.timeout.ms`: a
 *   transaction must outlive a checkpoint interval and, after a crash, the recovery that commits it.
 *   (The same value is the Produce request's acks timeout on the broker.)
 */
export const TRANSACTIONAL_PRODUCER = { idempotent: true, acks: ProduceAcks.ALL, producerId: -1n, producerEpoch: -1, timeout: 15 * 60_000 } as const;

/** What a transaction needs to be finished by another process: Flink's KafkaCommittable. */
export interface OpenTransaction {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

/**
 * Ends a transaction that another producer (maybe in a process that died) began, from its
 * transactional.id, producer id and epoch alone: EndTxn on the transaction coordinator, as Flink's
 * KafkaSink does when it recovers committables from a checkpoint. Commits unless `commit` is false.
 * Fails (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED, INVALID_TXN_STATE) if a newer producer of that
 * transactional.id was initialised since, because that one aborted the transaction.
 */
export async function endTransaction(bootstrapServers: string, transaction: OpenTransaction, commit = true): Promise<void> {
  const { host, port } = parseBootstrapServers(bootstrapServers)[0]!;
  const bootstrap = new Connection('sluice-end-txn');
  let coordinator: { host: string; port: number };
  try {
    await bootstrap.connect(host, port);
    const { coordinators } = await findCoordinatorV4.api.async(bootstrap, FindCoordinatorKeyTypes.TRANSACTION, [transaction.transactionalId]);
    coordinator = coordinators[0]!;
  } finally {
    await bootstrap.close();
  }
  const connection = new Connection('sluice-end-txn');
  try {
    await connection.connect(coordinator.host, coordinator.port);
    await endTxnV4.api.async(connection, transaction.transactionalId, transaction.producerId, transaction.producerEpoch, commit);
  } finally {
    await connection.close();
  }
}

/**
 * Initialises a producer for `transactionalId` (InitProducerId), which fences every earlier producer
 * of that id and aborts its open transaction, if any. Resolves with the epoch the coordinator gave:
 * 0 when the id had never been initialised before (nothing to abort), more when it had.
 */
export async function fenceTransactionalId(bootstrapServers: string, transactionalId: string): Promise<number> {
  const producer = new Producer({ clientId: 'sluice-fence', bootstrapBrokers: bootstrapBrokers(bootstrapServers), transactionalId, ...TRANSACTIONAL_PRODUCER, ...CLIENT_RETRIES });
  try {
    // beginTransaction() runs InitProducerId; the local transaction it opens sends nothing and is dropped.
    const transaction = await producer.beginTransaction();
    const epoch = producer.producerEpoch!;
    await transaction.cancel();
    return epoch;
  } finally {
    await producer.close(true);
  }
}
