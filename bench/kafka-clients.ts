/**
 * The measurements behind the client choice in sandbox/kafka/README.md, against a real broker,
 * both clients in the same run: produce and consume `--records` small records (default 1,000,000)
 * through a 4-partition topic each, then the transaction questions: does a new producer with the
 * same transactional.id fence and abort an abandoned producer's open transaction, and can a
 * transaction begun by another producer be committed from its producer id and epoch alone?
 *
 *   npm i --no-save kafkajs@2.2.4      # the candidate that is not a dependency (or --kafkajs DIR)
 *   node --import tsx bench/kafka-clients.ts [--records N] [--rounds N] [--batch N] [--kafkajs DIR]
 *
 * Uses $KAFKA_BOOTSTRAP_SERVERS if set (`npm run kafka -- up`), else starts a broker of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Admin, Consumer, FetchIsolationLevels, ProduceAcks, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { startKafkaBroker } from '../sandbox/kafka/broker.ts';
import { rawFetch } from './raw-fetch.ts';
import { endTransaction, TRANSACTIONAL_PRODUCER } from '../runtime/connectors/kafka/transactions.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '1' }, batch: { type: 'string', default: '1000' }, kafkajs: { type: 'string' } } });
const RECORDS = Number(values.records);
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const PARTITIONS = 4;

const key = (i: number) => `key-${i % 1000}`;
const value = (i: number) => `value-${i}`;

interface Figures {
  produceMs: number;
  consumeMs: number;
}

async function createTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Admin({ clientId: 'compare-admin', bootstrapBrokers: [bootstrap] });
  try {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 });
  } finally {
    await admin.close();
  }
}

// ---------------------------------------------------------------- @platformatic/kafka

async function platformaticThroughput(bootstrap: string, topic: string): Promise<Figures> {
  const producer = new Producer({ clientId: 'compare-p', bootstrapBrokers: [bootstrap], serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
  let started = Date.now();
  for (let from = 0; from < RECORDS; from += BATCH) {
    const messages = [];
    for (let i = from; i < Math.min(from + BATCH, RECORDS); i++) messages.push({ topic, key: key(i), value: value(i) });
    await producer.send({ messages });
  }
  const produceMs = Date.now() - started;
  await producer.close();

  const consumer = new Consumer({ clientId: 'compare-c', groupId: `g-${topic}`, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers });
  started = Date.now();
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
  let count = 0;
  let checksum = 0;
  await new Promise<void>((done, fail) => {
    stream.on('error', fail);
    stream.on('data', (message: { value: string }) => {
      checksum += message.value.length;
      if (++count === RECORDS) done();
    });
  });
  const consumeMs = Date.now() - started;
  await stream.close();
  await consumer.close(true);
  if (checksum !== expectedChecksum()) throw new Error(`@platformatic/kafka consumed other records than it produced`);
  return { produceMs, consumeMs };
}

/**
 * Consumption as a split reader would do it: the client's fetch() on the partitions' leader at
 * positions it keeps itself (no consumer group, no stream), records as Buffers.
 */
async function platformaticFetchThroughput(bootstrap: string, topic: string): Promise<number> {
  let checksum = 0;
  const ms = await rawFetch(bootstrap, topic, RECORDS, (value) => {
    checksum += value!.length;
  });
  if (checksum !== expectedChecksum()) throw new Error('@platformatic/kafka fetch() read other records than were produced');
  return ms;
}

/** Reads every record of `topic` that a read_committed consumer sees, until the high watermark. */
async function platformaticReadCommitted(bootstrap: string, topic: string, expected: number): Promise<string[]> {
  const consumer = new Consumer({ clientId: 'compare-rc', groupId: `rc-${topic}-${Date.now()}`, bootstrapBrokers: [bootstrap], deserializers: stringDeserializers, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
  const seen: string[] = [];
  await new Promise<void>((done, fail) => {
    stream.on('error', fail);
    stream.on('data', (message: { value: string }) => {
      seen.push(message.value);
      if (seen.length === expected) done();
    });
  });
  await stream.close();
  await consumer.close(true);
  return seen;
}

async function platformaticTransactions(bootstrap: string): Promise<{ fencesAndAborts: boolean; commitsForeign: boolean }> {
  // 1. a producer begins a transaction, sends, and is abandoned; a new one with the same id takes over
  const topic = `txn-fence-${Date.now()}`;
  await createTopic(bootstrap, topic);
  const crashed = new Producer({ clientId: 'crashed', bootstrapBrokers: [bootstrap], serializers: stringSerializers, transactionalId: `${topic}-tid`, ...TRANSACTIONAL_PRODUCER });
  const open = await crashed.beginTransaction();
  await open.send({ messages: [{ topic, value: 'abandoned-1' }, { topic, value: 'abandoned-2' }] });
  const successor = new Producer({ clientId: 'successor', bootstrapBrokers: [bootstrap], serializers: stringSerializers, transactionalId: `${topic}-tid`, ...TRANSACTIONAL_PRODUCER });
  const next = await successor.beginTransaction();
  await next.send({ messages: [{ topic, value: 'committed-1' }] });
  await next.commit();
  const seen = await platformaticReadCommitted(bootstrap, topic, 1);
  const fencesAndAborts = JSON.stringify(seen) === JSON.stringify(['committed-1']);
  await crashed.close().catch(() => {});
  await successor.close();

  // 2. a producer begins a transaction and is abandoned; its transaction is committed from (id, epoch)
  const topic2 = `txn-resume-${Date.now()}`;
  await createTopic(bootstrap, topic2);
  const tid = `${topic2}-tid`;
  const first = new Producer({ clientId: 'first', bootstrapBrokers: [bootstrap], serializers: stringSerializers, transactionalId: tid, ...TRANSACTIONAL_PRODUCER });
  const pending = await first.beginTransaction();
  await pending.send({ messages: [{ topic: topic2, value: 'pre-committed-1' }, { topic: topic2, value: 'pre-committed-2' }] });
  await endTransaction(bootstrap, { transactionalId: tid, producerId: first.producerId!, producerEpoch: first.producerEpoch! });
  const seen2 = await platformaticReadCommitted(bootstrap, topic2, 2);
  const commitsForeign = JSON.stringify(seen2.sort()) === JSON.stringify(['pre-committed-1', 'pre-committed-2']);
  await first.close().catch(() => {});
  return { fencesAndAborts, commitsForeign };
}

// ---------------------------------------------------------------- kafkajs (optional, not a dependency)

/** The part of kafkajs's API used here (it is not a dependency, so its own types are not at hand). */
interface KafkaJsProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: { topic: string; messages: { key?: string; value: string }[]; acks?: number }): Promise<unknown>;
  transaction(): Promise<{ send: KafkaJsProducer['send']; commit(): Promise<void>; abort(): Promise<void> }>;
}
interface KafkaJs {
  logLevel: { NOTHING: number };
  Kafka: new (config: { clientId: string; brokers: string[]; logLevel: number }) => {
    producer(config: { idempotent: boolean; maxInFlightRequests: number; transactionalId?: string }): KafkaJsProducer;
    consumer(config: { groupId: string; maxWaitTimeInMs: number }): {
      connect(): Promise<void>;
      disconnect(): Promise<void>;
      subscribe(subscription: { topics: string[]; fromBeginning: boolean }): Promise<void>;
      run(config: { autoCommit: boolean; eachBatch: (payload: { batch: { messages: { value: Buffer | null }[] } }) => Promise<void> }): Promise<void>;
    };
  };
}

/** kafkajs from the project's node_modules, or from `--kafkajs DIR` (a folder with node_modules/kafkajs). */
function loadKafkaJs(): KafkaJs | undefined {
  const from = values.kafkajs === undefined ? import.meta.url : pathToFileURL(join(resolve(values.kafkajs), 'package.json'));
  try {
    return createRequire(from)('kafkajs') as KafkaJs;
  } catch {
    return undefined;
  }
}

async function kafkajsThroughput(kafkajs: KafkaJs, bootstrap: string, topic: string): Promise<Figures> {
  const kafka = new kafkajs.Kafka({ clientId: 'compare-kjs', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let started = Date.now();
  for (let from = 0; from < RECORDS; from += BATCH) {
    const messages = [];
    for (let i = from; i < Math.min(from + BATCH, RECORDS); i++) messages.push({ key: key(i), value: value(i) });
    await producer.send({ topic, messages, acks: -1 });
  }
  const produceMs = Date.now() - started;
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 100 });
  started = Date.now();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let checksum = 0;
  await new Promise<void>((done, fail) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            checksum += message.value!.toString('utf8').length;
            if (++count === RECORDS) done();
          }
        },
      })
      .catch(fail);
  });
  const consumeMs = Date.now() - started;
  await consumer.disconnect();
  if (checksum !== expectedChecksum()) throw new Error('kafkajs consumed other records than it produced');
  return { produceMs, consumeMs };
}

async function kafkajsFencesAndAborts(kafkajs: KafkaJs, bootstrap: string): Promise<boolean> {
  const topic = `kjs-txn-fence-${Date.now()}`;
  await createTopic(bootstrap, topic);
  const kafka = new kafkajs.Kafka({ clientId: 'compare-kjs-txn', brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const crashed = kafka.producer({ transactionalId: `${topic}-tid`, idempotent: true, maxInFlightRequests: 1 });
  await crashed.connect();
  const open = await crashed.transaction();
  await open.send({ topic, messages: [{ value: 'abandoned-1' }, { value: 'abandoned-2' }] });
  const successor = kafka.producer({ transactionalId: `${topic}-tid`, idempotent: true, maxInFlightRequests: 1 });
  await successor.connect();
  const next = await successor.transaction();
  await next.send({ topic, messages: [{ value: 'committed-1' }] });
  await next.commit();
  const seen = await platformaticReadCommitted(bootstrap, topic, 1);
  await crashed.disconnect();
  await successor.disconnect();
  return JSON.stringify(seen) === JSON.stringify(['committed-1']);
}

// ---------------------------------------------------------------- run

let checksumCache: number | undefined;
function expectedChecksum(): number {
  if (checksumCache === undefined) {
    checksumCache = 0;
    for (let i = 0; i < RECORDS; i++) checksumCache += value(i).length;
  }
  return checksumCache;
}

const rate = (ms: number) => `${Math.round(RECORDS / (ms / 1000)).toLocaleString('en-US')} records/s (${(ms / 1000).toFixed(1)} s)`;

let dir: string | undefined;
let stop: (() => Promise<void>) | undefined;
let bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS;
if (bootstrap === undefined) {
  dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-compare-'));
  const broker = await startKafkaBroker({ dir, heapMb: 1024 });
  bootstrap = broker.bootstrapServers;
  stop = () => broker.stop();
}
try {
  const kafkajs = loadKafkaJs();
  if (kafkajs === undefined) console.log('kafkajs is not installed (npm i --no-save kafkajs@2.2.4, or --kafkajs DIR): measuring @platformatic/kafka alone');
  console.log(`${RECORDS.toLocaleString('en-US')} records of ~16 bytes, batches of ${BATCH}, 4 partitions, broker ${bootstrap}`);
  for (let round = 1; round <= ROUNDS; round++) {
    const p = await (async () => {
      const topic = `compare-platformatic-${round}-${Date.now()}`;
      await createTopic(bootstrap, topic);
      return { topic, ...(await platformaticThroughput(bootstrap, topic)) };
    })();
    console.log(`round ${round} @platformatic/kafka  produce ${rate(p.produceMs)}  consume ${rate(p.consumeMs)}`);
    const fetchMs = await platformaticFetchThroughput(bootstrap, p.topic);
    console.log(`round ${round} @platformatic/kafka  fetch() at own positions ${rate(fetchMs)}`);
    if (kafkajs) {
      const topic = `compare-kafkajs-${round}-${Date.now()}`;
      await createTopic(bootstrap, topic);
      const k = await kafkajsThroughput(kafkajs, bootstrap, topic);
      console.log(`round ${round} kafkajs             produce ${rate(k.produceMs)}  consume ${rate(k.consumeMs)}`);
      console.log(
        `round ${round} ratio platformatic/kafkajs  produce ${(k.produceMs / p.produceMs).toFixed(2)}  consume ${(k.consumeMs / p.consumeMs).toFixed(2)}  fetch()/consume ${(k.consumeMs / fetchMs).toFixed(2)}`,
      );
    }
  }
  const p = await platformaticTransactions(bootstrap);
  console.log(`@platformatic/kafka: a new producer with the same transactional.id fences and aborts the open transaction: ${p.fencesAndAborts}`);
  console.log(`@platformatic/kafka: EndTxn(commit) from (transactional.id, producer id, epoch) commits another producer's open transaction: ${p.commitsForeign}`);
  if (kafkajs) console.log(`kafkajs: a new producer with the same transactional.id fences and aborts the open transaction: ${await kafkajsFencesAndAborts(kafkajs, bootstrap)}`);
} finally {
  await stop?.();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
