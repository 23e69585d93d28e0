// Kafka connectors against a real broker (started here, or $KAFKA_BOOTSTRAP_SERVERS), same run:
// - KafkaSource reading a 4-partition topic in a local job (parallelism 1, bounded) against a plain
//   loop over the client's Consumer.fetch() at positions it keeps (no job, no deserialisation);
// - KafkaSink (at-least-once) writing generated records in a local job against the client's
//   idempotent producer sending requests of 1,000 records, one in flight;
// (best of two alternating rounds each);
// - end-to-end latency p50 and p99 of Kafka -> map -> Kafka (at-least-once sink) at a fixed rate:
//   from the input record's timestamp (set when produced) to its output being read back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, Producer, ProduceAcks } from '@platformatic/kafka';
import { CollectSink, GeneratorSource, KafkaSink, KafkaSource, WatermarkStrategy } from '../runtime/api/index.ts';
import { localEnvironment } from '../runtime/cluster/local-environment.ts';
import { LocalExecutor } from '../runtime/cluster/local-executor.ts';
import { PartitionFetcher } from '../runtime/connectors/kafka/partition-fetcher.ts';
import { startKafkaBroker } from '../sandbox/kafka/broker.ts';
import type { BenchResult } from './bench-result.ts';
import { rawFetch } from './raw-fetch.ts';

const RECORDS = 200_000;
const PARTITIONS = 4;
const RATE = 2_000;
const LATENCY_SECONDS = 5;
const value = (i: number) => Buffer.from(`value-${i}`);

async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ clientId: 'bench', bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  await admin.close();
}

/** Records per second of the raw producer: requests of 1,000, one in flight. */
async function rawProduce(bootstrap: string, topic: string): Promise<number> {
  const producer = new Producer({ clientId: 'bench-raw', bootstrapBrokers: [bootstrap], idempotent: true, acks: ProduceAcks.ALL });
  const start = performance.now();
  for (let i = 0; i < RECORDS; i += 1000) {
    await producer.send({ messages: Array.from({ length: 1000 }, (_, j) => ({ topic, value: value(i + j), partition: (i + j) % PARTITIONS })) });
  }
  const seconds = (performance.now() - start) / 1000;
  await producer.close();
  return RECORDS / seconds;
}

/** Records per second of a local job writing generated records with KafkaSink (at-least-once). */
async function sinkProduce(bootstrap: string, topic: string): Promise<number> {
  const env = localEnvironment().setParallelism(1);
  env
    .fromSource(new GeneratorSource({ count: RECORDS, generate: (n: number) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .sinkTo(new KafkaSink<number>({ bootstrapServers: bootstrap, topic, deliveryGuarantee: 'at-least-once', serialize: (n) => ({ value: value(n), partition: n % PARTITIONS }) }));
  const start = performance.now();
  await env.execute('kafka-sink-bench');
  return RECORDS / ((performance.now() - start) / 1000);
}

/** Records per second of a local job reading the topic with KafkaSource (bounded). */
async function sourceRead(bootstrap: string, topic: string): Promise<number> {
  const env = localEnvironment().setParallelism(1);
  let count = 0;
  env
    .fromSource(new KafkaSource<string>({ bootstrapServers: bootstrap, topics: [topic], bounded: 'latest' }), WatermarkStrategy.noWatermarks(), 'Read')
    .filter(() => ++count < 0)
    .sinkTo(new CollectSink());
  const start = performance.now();
  await env.execute('kafka-source-bench');
  if (count !== RECORDS) throw new Error(`KafkaSource read ${count} records, not ${RECORDS}`);
  return RECORDS / ((performance.now() - start) / 1000);
}

/** p50 and p99 (ms) of produce-to-read-back through Kafka -> map -> Kafka at RATE records per second. */
async function latency(bootstrap: string): Promise<{ p50: number; p99: number }> {
  await createTopic(bootstrap, 'latency-in', PARTITIONS);
  await createTopic(bootstrap, 'latency-out', PARTITIONS);
  const env = localEnvironment().setParallelism(2);
  env
    .fromSource(new KafkaSource<string>({ bootstrapServers: bootstrap, topics: ['latency-in'], properties: { 'fetch.max.wait.ms': 10 } }), WatermarkStrategy.noWatermarks(), 'In')
    .map((v: string) => v.toUpperCase())
    .sinkTo(new KafkaSink<string>({ bootstrapServers: bootstrap, topic: 'latency-out', deliveryGuarantee: 'at-least-once' }));
  const job = new LocalExecutor().start(env.getJobGraph('kafka-latency-bench'));
  job.result.catch(() => {});
  const reader = new PartitionFetcher({ bootstrapServers: bootstrap, clientId: 'bench-latency', maxWaitMs: 10 });
  // Not idempotent: its sends overlap (one every 5 ms), which the client's idempotent producer cannot order.
  const producer = new Producer({ clientId: 'bench-latency', bootstrapBrokers: [bootstrap], acks: ProduceAcks.LEADER });
  let sendFailure: unknown;
  const latencies: number[] = [];
  const total = RATE * LATENCY_SECONDS;
  let reading = true;
  const read = (async () => {
    const positions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'latency-out', partition, offset: 0n }));
    while (reading && latencies.length < total) {
      for (const { position, batches, nextOffset } of await reader.fetch(positions)) {
        const now = Date.now();
        for (const batch of batches) for (const r of batch.records) latencies.push(now - Number(r.value!.toString().slice('SENT-'.length)));
        position.offset = nextOffset;
      }
    }
  })();
  try {
    // Warm-up: the job reads (partitions discovered and assigned) once a first record came back.
    await producer.send({ messages: [{ topic: 'latency-in', value: Buffer.from(`sent-${Date.now()}`), partition: 0 }] });
    const ready = Date.now() + 30_000;
    while (latencies.length === 0 && Date.now() < ready) await new Promise((r) => setTimeout(r, 20));
    latencies.length = 0;
    // 10 records every 5 ms, each carrying its send time
    const start = Date.now();
    for (let sent = 0; sent < total; sent += 10) {
      const due = start + (sent / RATE) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const now = Date.now();
      producer.send({ messages: Array.from({ length: 10 }, (_, j) => ({ topic: 'latency-in', value: Buffer.from(`sent-${now}`), partition: (sent + j) % PARTITIONS })) }).catch((error: unknown) => (sendFailure ??= error));
    }
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (sendFailure !== undefined) throw sendFailure;
    if (latencies.length < total) throw new Error(`latency: ${latencies.length} of ${total} records came back`);
  } finally {
    reading = false;
    await read.catch(() => {});
    job.cancel();
    await producer.close();
    await reader.close();
  }
  latencies.sort((a, b) => a - b);
  return { p50: latencies[Math.floor(latencies.length * 0.5)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-bench-'));
  const broker = process.env.KAFKA_BOOTSTRAP_SERVERS === undefined ? await startKafkaBroker({ dir, heapMb: 1024 }) : undefined;
  const bootstrap = broker?.bootstrapServers ?? process.env.KAFKA_BOOTSTRAP_SERVERS!;
  const suffix = Date.now();
  try {
    // Best of two rounds each, alternating, so neither side alone pays for a cold broker and JIT.
    let [raw, sink, fetch, source] = [0, 0, 0, 0];
    for (const round of [1, 2]) {
      await createTopic(bootstrap, `raw-${suffix}-${round}`, PARTITIONS);
      await createTopic(bootstrap, `sink-${suffix}-${round}`, PARTITIONS);
      raw = Math.max(raw, await rawProduce(bootstrap, `raw-${suffix}-${round}`));
      sink = Math.max(sink, await sinkProduce(bootstrap, `sink-${suffix}-${round}`));
      fetch = Math.max(fetch, RECORDS / ((await rawFetch(bootstrap, `sink-${suffix}-${round}`, RECORDS, () => {})) / 1000));
      source = Math.max(source, await sourceRead(bootstrap, `sink-${suffix}-${round}`));
    }
    const { p50, p99 } = await latency(bootstrap);
    return [
      { name: 'kafka: KafkaSink at-least-once vs raw idempotent producer', unit: 'records/s', value: sink, baseline: raw, ratio: sink / raw },
      { name: 'kafka: KafkaSource (bounded job) vs raw Consumer.fetch() loop', unit: 'records/s', value: source, baseline: fetch, ratio: source / fetch },
      { name: `kafka: Kafka -> map -> Kafka latency p50 at ${RATE}/s (lower is better)`, unit: 'ms', value: p50, baseline: p50, ratio: 1 },
      { name: `kafka: Kafka -> map -> Kafka latency p99 at ${RATE}/s (vs p50; lower is better)`, unit: 'ms', value: p99, baseline: p50, ratio: p99 / p50 },
    ];
  } finally {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
