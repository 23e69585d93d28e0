// The sandbox's Kafka broker (a real Apache Kafka in KRaft mode on 127.0.0.1) with the chosen client,
// @platformatic/kafka: topics, exact produce/consume, transactions as a read_committed consumer sees
// them (aborted, committed, fenced, and one begun by a SIGKILLed process and committed by another),
// and a broker that is gone after stop().
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Admin, Consumer, FetchIsolationLevels, ListOffsetTimestamps, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { alive } from '../../../../sandbox/background/state-file.ts';
import { startKafkaBroker, type KafkaBroker } from '../../../../sandbox/kafka/broker.ts';
import { endTransaction, TRANSACTIONAL_PRODUCER } from '../../../../runtime/connectors/kafka/transactions.ts';
import { ProcessGroup, waitFor } from '../../../support/processes.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-kafka-broker-');
const processes = new ProcessGroup();
let broker: KafkaBroker;

beforeAll(async () => {
  // first run on a machine: the jars come from Maven Central before the JVM starts
  broker = await startKafkaBroker({ dir: tempDir() });
}, 300_000);

afterAll(async () => {
  await processes.stopAll();
  await broker?.stop();
});

// every client is closed after the tests, also those of a failed test (closing twice does nothing)
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close().catch(() => {});
});

function admin(): Admin {
  const a = new Admin({ clientId: 'broker-test-admin', bootstrapBrokers: [broker.bootstrapServers] });
  closers.push(() => a.close());
  return a;
}

function producer(options: { transactionalId?: string } = {}): Producer<string, string, string, string> {
  const p = new Producer({
    clientId: 'broker-test-producer',
    bootstrapBrokers: [broker.bootstrapServers],
    serializers: stringSerializers,
    ...(options.transactionalId === undefined ? { idempotent: true, acks: ProduceAcks.ALL } : { transactionalId: options.transactionalId, ...TRANSACTIONAL_PRODUCER }),
  });
  closers.push(() => p.close());
  return p;
}

interface Read {
  partition: number;
  offset: bigint;
  key: string | undefined;
  value: string;
}

let groups = 0;
/**
 * Reads `topic` from the earliest offsets with a fresh consumer group until `done(records)` holds.
 * With one partition, "until the last record written is seen" reads everything before it too.
 */
async function readUntil(topic: string, isolation: 'read_committed' | 'read_uncommitted', done: (records: Read[]) => boolean): Promise<Read[]> {
  const consumer = new Consumer({
    clientId: 'broker-test-consumer',
    groupId: `broker-test-${++groups}`,
    bootstrapBrokers: [broker.bootstrapServers],
    deserializers: stringDeserializers,
    isolationLevel: isolation === 'read_committed' ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
  });
  closers.push(() => consumer.close());
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
  const records: Read[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', (m: { partition: number; offset: bigint; key: string | undefined; value: string }) => {
        records.push({ partition: m.partition, offset: m.offset, key: m.key || undefined, value: m.value });
        if (done(records)) resolve();
      });
    });
  } finally {
    await stream.close();
    await consumer.close(true);
  }
  return records;
}

const values = (records: Read[]) => records.map((r) => r.value);

/** The end of a partition: the high watermark (read_uncommitted) or the last stable offset (read_committed). */
async function endOffset(topic: string, isolation: 'read_committed' | 'read_uncommitted', partition = 0): Promise<bigint> {
  const [listed] = await admin().listOffsets({
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp: ListOffsetTimestamps.LATEST }] }],
    isolationLevel: isolation === 'read_committed' ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
  });
  return listed!.partitions[0]!.offset;
}

async function createTopic(topic: string, partitions: number): Promise<void> {
  await admin().createTopics({ topics: [topic], partitions, replicas: 1 });
}

describe('Kafka broker (KRaft, single node)', () => {
  it('listens on 127.0.0.1, advertises 127.0.0.1, and creates a topic with 4 partitions', async () => {
    expect(broker.bootstrapServers).toBe(`127.0.0.1:${broker.port}`);
    await createTopic('four', 4);
    const metadata = await admin().metadata({ topics: ['four'] });
    expect(metadata.topics.get('four')!.partitionsCount).toBe(4);
    expect([...metadata.brokers.values()].map((b) => `${b.host}:${b.port}`)).toEqual([broker.bootstrapServers]);
  });

  it('gives back exactly the records produced to the 4 partitions, in order per partition', async () => {
    await createTopic('exact', 4);
    const p = producer();
    const sent: { key: string; value: string; partition: number }[] = [];
    for (let i = 0; i < 2_000; i++) sent.push({ key: `key-${i % 7}`, value: `value-${i}`, partition: i % 4 });
    for (let i = 0; i < sent.length; i += 500) await p.send({ messages: sent.slice(i, i + 500).map((m) => ({ topic: 'exact', ...m })) });

    const read = await readUntil('exact', 'read_uncommitted', (records) => records.length === sent.length);
    for (let partition = 0; partition < 4; partition++) {
      const inPartition = read.filter((r) => r.partition === partition);
      expect(inPartition.map((r) => [r.key, r.value])).toEqual(sent.filter((m) => m.partition === partition).map((m) => [m.key, m.value]));
      expect(inPartition.map((r) => r.offset)).toEqual(inPartition.map((_, i) => BigInt(i)));
    }
    // the log holds nothing else: 2,000 records in all, 500 per partition
    expect(await Promise.all([0, 1, 2, 3].map((partition) => endOffset('exact', 'read_uncommitted', partition)))).toEqual([500n, 500n, 500n, 500n]);
  });

  it('shows a read_committed consumer the committed transactions once each and never the aborted one', async () => {
    await createTopic('txn', 1);
    const p = producer({ transactionalId: 'txn-writer' });
    const send = async (vals: string[], commit: boolean) => {
      const t = await p.beginTransaction();
      await t.send({ messages: vals.map((value) => ({ topic: 'txn', partition: 0, value })) });
      await (commit ? t.commit() : t.abort());
    };
    await send(['a1', 'a2', 'a3'], true);
    await send(['b1', 'b2', 'b3'], false);
    await send(['c1', 'c2', 'c3'], true);

    const committed = await readUntil('txn', 'read_committed', (records) => records.at(-1)?.value === 'c3');
    expect(values(committed)).toEqual(['a1', 'a2', 'a3', 'c1', 'c2', 'c3']);
    // the aborted records are in the log: read_uncommitted sees them
    const everything = await readUntil('txn', 'read_uncommitted', (records) => records.at(-1)?.value === 'c3');
    expect(values(everything)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
  });

  it("fences a producer when another starts with its transactional.id and aborts the first one's open transaction", async () => {
    await createTopic('fence', 1);
    const zombie = producer({ transactionalId: 'fence-writer' });
    const open = await zombie.beginTransaction();
    await open.send({ messages: [{ topic: 'fence', partition: 0, value: 'zombie-1' }] });

    const successor = producer({ transactionalId: 'fence-writer' });
    const t = await successor.beginTransaction();
    await t.send({ messages: [{ topic: 'fence', partition: 0, value: 'successor-1' }] });
    await t.commit();
    await expect(open.commit()).rejects.toMatchObject({ errors: [expect.objectContaining({ apiId: 'PRODUCER_FENCED' })] });

    const committed = await readUntil('fence', 'read_committed', (records) => records.at(-1)?.value === 'successor-1');
    expect(values(committed)).toEqual(['successor-1']);
  });

  it('commits a transaction begun by a process that was SIGKILLed, from its transactional.id, producer id and epoch', async () => {
    await createTopic('resume', 1);
    const child = processes.spawn('open-transaction', process.execPath, [
      '--import',
      'tsx',
      fileURLToPath(new URL('./open-transaction.ts', import.meta.url)),
      broker.bootstrapServers,
      'resume',
      'resume-writer',
      'r1',
      'r2',
      'r3',
    ]);
    const line = await waitFor(`the transaction of ${child.name}`, () => child.stdout.find((l) => l.startsWith('{')), 60_000);
    child.child.kill('SIGKILL');
    expect(await child.exited).toBe('SIGKILL');
    const { transactionalId, producerId, producerEpoch } = JSON.parse(line) as { transactionalId: string; producerId: string; producerEpoch: number };

    // while the dead process's transaction is open, read_committed stops before it: the last
    // stable offset stays at r1 (0) although the log goes on to 'after' (high watermark 4)
    const p = producer();
    await p.send({ messages: [{ topic: 'resume', partition: 0, value: 'after' }] });
    const uncommitted = await readUntil('resume', 'read_uncommitted', (records) => records.at(-1)?.value === 'after');
    expect(values(uncommitted)).toEqual(['r1', 'r2', 'r3', 'after']);
    expect([await endOffset('resume', 'read_committed'), await endOffset('resume', 'read_uncommitted')]).toEqual([0n, 4n]);

    await endTransaction(broker.bootstrapServers, { transactionalId, producerId: BigInt(producerId), producerEpoch });
    const committed = await readUntil('resume', 'read_committed', (records) => records.at(-1)?.value === 'after');
    expect(values(committed)).toEqual(['r1', 'r2', 'r3', 'after']);
  });

  it('is gone after stop(): no JVM, nothing listening on its port', async () => {
    await broker.stop();
    expect(alive(broker.pid)).toBe(false);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(broker.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
