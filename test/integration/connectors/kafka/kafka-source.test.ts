// KafkaSource against a real broker, in local jobs: a bounded read of a 4-partition topic gives the
// topic's committed contents exactly (aborted transactions left out, Kafka timestamps as element
// timestamps); an unbounded read picks up a partition added while it runs; a missing topic and a
// wrong bootstrap address fail the job with a clear error.
import { describe, expect, it } from '@jest/globals';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { CollectSink, KafkaSource, WatermarkStrategy } from '../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';
import { LocalExecutor } from '../../../../runtime/cluster/local-executor.ts';
import { TRANSACTIONAL_PRODUCER } from '../../../../runtime/connectors/kafka/transactions.ts';
import { executeAndCollectRecords } from '../../../../runtime/testing/execute-and-collect.ts';
import { waitFor } from '../../../support/processes.ts';
import { KafkaTestBroker } from './kafka-fixture.ts';

const kafka = new KafkaTestBroker();

describe('KafkaSource', () => {
  it("bounded: 'latest' at parallelism 2 reads a 4-partition topic's committed records exactly, with their Kafka timestamps", async () => {
    await kafka.createTopic('orders', 4);
    const sent = Array.from({ length: 4_000 }, (_, i) => ({ key: `k${i % 13}`, value: `order-${i}`, partition: i % 4, timestamp: BigInt(1_700_000_000_000 + i) }));
    await kafka.produce('orders', sent.slice(0, 2_000));
    // an aborted transaction in the middle of partition 1: a read_committed source never shows it
    const transactional = new Producer({ clientId: 'aborting', bootstrapBrokers: [kafka.bootstrapServers], serializers: stringSerializers, transactionalId: 'aborting', ...TRANSACTIONAL_PRODUCER });
    const aborted = await transactional.beginTransaction();
    await aborted.send({ messages: [{ topic: 'orders', partition: 1, value: 'aborted-1' }, { topic: 'orders', partition: 1, value: 'aborted-2' }] });
    await aborted.abort();
    await transactional.close();
    await kafka.produce('orders', sent.slice(2_000));

    const env = localEnvironment().setParallelism(2);
    const source = new KafkaSource<string>({ bootstrapServers: kafka.bootstrapServers, topics: ['orders'], bounded: 'latest' });
    const records = await executeAndCollectRecords(env.fromSource(source, WatermarkStrategy.noWatermarks(), 'Orders'));
    const byValue = (a: { value: string }, b: { value: string }) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
    expect(records.sort(byValue)).toEqual(sent.map((m) => ({ value: m.value, timestamp: Number(m.timestamp) })).sort(byValue));
  }, 120_000);

  it('bounded, deserialize: gets topic, partition, offset, timestamp, key, value and headers of each record; per partition in offset order', async () => {
    await kafka.createTopic('detailed', 2);
    await kafka.produce('detailed', [
      { key: 'a', value: 'v0', partition: 0, timestamp: 5n },
      { key: 'b', value: 'v1', partition: 1, timestamp: 6n },
      { key: 'c', value: 'v2', partition: 0, timestamp: 7n },
    ]);
    const env = localEnvironment().setParallelism(1);
    const source = new KafkaSource({
      bootstrapServers: kafka.bootstrapServers,
      topics: /^detail/,
      bounded: 'latest',
      deserialize: (r) => `${r.topic}/${r.partition}@${r.offset} ${r.timestamp} ${r.key?.toString()}=${r.value?.toString()} headers=${r.headers.length}`,
    });
    const values = (await executeAndCollectRecords(env.fromSource(source, WatermarkStrategy.noWatermarks(), 'Detailed'))).map((r) => r.value);
    expect(values.filter((v) => v.startsWith('detailed/0'))).toEqual(['detailed/0@0 5 a=v0 headers=0', 'detailed/0@1 7 c=v2 headers=0']);
    expect(values.filter((v) => v.startsWith('detailed/1'))).toEqual(['detailed/1@0 6 b=v1 headers=0']);
  }, 60_000);

  it('unbounded: picks up a partition added while the job runs, from its first record', async () => {
    await kafka.createTopic('growing', 2);
    await kafka.produce('growing', [
      { value: 'p0-first', partition: 0 },
      { value: 'p1-first', partition: 1 },
    ]);
    const env = localEnvironment().setParallelism(2);
    const sink = new CollectSink<string>();
    env
      .fromSource(new KafkaSource<string>({ bootstrapServers: kafka.bootstrapServers, topics: 'growing', partitionDiscoveryInterval: 300 }), WatermarkStrategy.noWatermarks(), 'Growing')
      .sinkTo(sink);
    const job = new LocalExecutor().start(env.getJobGraph('growing'));
    let outcome = 'running';
    job.result.then(
      () => (outcome = 'ended'),
      (error: unknown) => (outcome = `failed: ${(error as Error).message}`),
    );
    try {
      await waitFor('the first records', () => (sink.values.length === 2 ? true : undefined), 60_000);
      await kafka.addPartitions('growing', 3);
      await kafka.produce('growing', [
        { value: 'p2-first', partition: 2 },
        { value: 'p2-second', partition: 2 },
        { value: 'p0-second', partition: 0 },
      ]);
      await waitFor(
        () => `the new partition's records (so far ${sink.values.join(', ')}; job ${outcome})`,
        () => (sink.values.length >= 5 ? true : undefined),
        60_000,
      );
      expect([...sink.values].sort()).toEqual(['p0-first', 'p0-second', 'p1-first', 'p2-first', 'p2-second']);
    } finally {
      job.cancel();
      await job.result.catch(() => undefined);
    }
  }, 120_000);

  it('a missing topic fails the job with a clear error', async () => {
    const env = localEnvironment();
    env.fromSource(new KafkaSource<string>({ bootstrapServers: kafka.bootstrapServers, topics: ['no-such-topic'], bounded: 'latest' }), WatermarkStrategy.noWatermarks(), 'Missing').sinkTo(new CollectSink());
    await expect(env.execute('missing')).rejects.toThrow(/KafkaSource: cannot discover the partitions of "no-such-topic" at 127\.0\.0\.1:\d+: Unknown topic no-such-topic\./);
  }, 60_000);

  it('a wrong bootstrap address fails the job with a clear error', async () => {
    const env = localEnvironment();
    env.fromSource(new KafkaSource<string>({ bootstrapServers: '127.0.0.1:1', topics: ['orders'], bounded: 'latest' }), WatermarkStrategy.noWatermarks(), 'Nowhere').sinkTo(new CollectSink());
    await expect(env.execute('nowhere')).rejects.toThrow(/KafkaSource: cannot discover the partitions of "orders" at 127\.0\.0\.1:1: .*ECONNREFUSED/);
  }, 60_000);
});
