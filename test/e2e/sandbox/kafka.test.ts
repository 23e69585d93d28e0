// Kafka as the sandbox runs it with `npm run sandbox -- up --kafka`: a broker pod behind a Service,
// which a pod reaches by the Service's name and this machine by the pod's address.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { Admin, Consumer, stringDeserializers } from '@platformatic/kafka';
import { startKafkaInCluster, type ClusterKafka } from '../../../sandbox/kafka/kafka-in-cluster.ts';
import { waitFor } from '../../support/processes.ts';
import { useCluster, type E2eCluster } from '../support/cluster.ts';

const BROKER_NAMESPACE = 'e2e-kafka-broker';
let cluster: E2eCluster;
let kafka: ClusterKafka;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  cluster = await useCluster('e2e-kafka');
  kafka = await startKafkaInCluster(cluster.api, { dataDir: join(cluster.dir, 'kafka-broker-pod'), namespace: BROKER_NAMESPACE });
}, 180_000);

afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  await cluster?.kubectl(['delete', 'namespace', BROKER_NAMESPACE, '--wait=false']);
  await cluster?.release();
});

describe('Kafka in the sandbox', () => {
  it('serves a pod that produces to kafka.<namespace>:9092 and this machine that reads the records back', async () => {
    expect(kafka.clusterBootstrapServers).toBe(`kafka.${BROKER_NAMESPACE}:9092`);
    const admin = new Admin({ clientId: 'e2e-admin', bootstrapBrokers: [kafka.bootstrapServers] });
    closers.push(() => admin.close());
    await admin.createTopics({ topics: ['greetings'], partitions: 1, replicas: 1 });

    const script = [
      "import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';",
      `const p = new Producer({ clientId: 'in-pod', bootstrapBrokers: ['${kafka.clusterBootstrapServers}'], serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });`,
      "await p.send({ messages: ['one', 'two', 'three'].map((value) => ({ topic: 'greetings', partition: 0, value })) });",
      'await p.close();',
      "console.log('sent');",
    ].join('\n');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'producer' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'node', command: ['node', '--input-type=module', '-e', script] }] },
    };
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(pod));
    const phase = await waitFor('the producer pod to end', async () => {
      const p = await cluster.pod('producer');
      return p?.status?.phase === 'Succeeded' || p?.status?.phase === 'Failed' ? p.status.phase : undefined;
    }, 60_000);
    expect([phase, (await cluster.kubectlOk(['logs', 'producer'])).trim()]).toEqual(['Succeeded', 'sent']);

    const consumer = new Consumer({ clientId: 'e2e-consumer', groupId: 'e2e-kafka', bootstrapBrokers: [kafka.bootstrapServers], deserializers: stringDeserializers });
    closers.push(() => consumer.close());
    const stream = await consumer.consume({ topics: ['greetings'], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('data', (m: { value: string }) => {
        values.push(m.value);
        if (values.length === 3) resolve();
      });
    });
    await stream.close();
    expect(values).toEqual(['one', 'two', 'three']);
  }, 120_000);
});
