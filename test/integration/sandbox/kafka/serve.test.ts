// The Kafka pod's command as kafkaContainer() gives it, run as a process the way the sandbox kubelet
// would (with $(POD_IP) expanded to a loopback address of its own): it serves on that address, names
// it in metadata, and SIGTERM stops it cleanly, JVM included. And without Java, one clear line.
import { afterAll, describe, expect, it } from '@jest/globals';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer, Producer, ProduceAcks, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { alive } from '../../../../sandbox/background/state-file.ts';
import { ensureKafkaJars, kafkaContainer } from '../../../../sandbox/kafka/broker.ts';
import { runCommand } from '../../../support/command.ts';
import { ProcessGroup, waitFor } from '../../../support/processes.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-kafka-serve-');
const processes = new ProcessGroup();
afterAll(() => processes.stopAll(30_000));

describe('Kafka pod command', () => {
  it('serves on the pod address given through $(POD_IP), and SIGTERM stops broker and JVM', async () => {
    const podIP = `127.${100 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const container = kafkaContainer({ libs: await ensureKafkaJars(), dir: join(tempDir(), 'kafka') });
    expect(container.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]);
    expect(container.ports).toEqual([{ name: 'kafka', containerPort: 9092, protocol: 'TCP' }]);
    const args = container.args.map((a) => a.replaceAll('$(POD_IP)', podIP));
    const pod = processes.spawn('kafka-pod', container.command[0]!, args, { POD_IP: podIP });

    const started = await waitFor(`the broker of ${pod.name} to start`, () => pod.stdout.find((l) => / started in .* \(pid \d+\)$/.test(l)), 180_000);
    expect(started).toContain(`broker at ${podIP}:9092`);
    const jvm = Number(/\(pid (\d+)\)$/.exec(started)![1]);
    const bootstrap = `${podIP}:9092`;

    const admin = new Admin({ clientId: 'serve-test', bootstrapBrokers: [bootstrap] });
    const producer = new Producer({ clientId: 'serve-test', bootstrapBrokers: [bootstrap], serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
    const consumer = new Consumer({ clientId: 'serve-test', groupId: 'serve-test', bootstrapBrokers: [bootstrap], deserializers: stringDeserializers });
    try {
      await admin.createTopics({ topics: ['pod'], partitions: 1, replicas: 1 });
      const metadata = await admin.metadata({ topics: ['pod'] });
      expect([...metadata.brokers.values()].map((b) => `${b.host}:${b.port}`)).toEqual([bootstrap]);
      await producer.send({ messages: [{ topic: 'pod', key: 'k', value: 'through the pod address' }] });
      const stream = await consumer.consume({ topics: ['pod'], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
      const first = await new Promise<{ key: string; value: string }>((resolve, reject) => {
        stream.once('error', reject);
        stream.once('data', resolve);
      });
      await stream.close();
      expect([first.key, first.value]).toEqual(['k', 'through the pod address']);
    } finally {
      await consumer.close(true);
      await producer.close(true);
      await admin.close();
    }

    pod.child.kill('SIGTERM');
    expect(await pod.exited).toBe(0);
    expect(alive(jvm)).toBe(false);
  }, 240_000);

  it('says in one line that Java is missing', async () => {
    await ensureKafkaJars(); // so that only Java is missing, not the jars
    const bin = tempDir();
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = await runCommand(process.execPath, ['--import', 'tsx', 'sandbox/kafka/cli.ts', '--dir', tempDir(), 'up'], { PATH: bin });
    expect([result.code, result.stdout, result.stderr]).toEqual([
      1,
      '',
      'kafka: Java is not installed or not on PATH: the Kafka broker needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)\n',
    ]);
  });
});
