// Kafka as the sandbox runs it with `npm run sandbox -- up --kafka`: a broker pod behind the Service
// kafka.kafka:9092, which a pod reaches by the Service's name and this machine by the pod's address;
// the Kafka example StreamJob run against it as the README tells users to, and a StreamJob whose
// broker address or topic is wrong, which fails with the reason in its status.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { parse, stringify } from 'yaml';
import { startKafkaInCluster, type ClusterKafka } from '../../../sandbox/kafka/kafka-in-cluster.ts';
import { runCommand } from '../../support/command.ts';
import { KafkaTopicsAt } from '../../support/kafka-topics.ts';
import { waitFor } from '../../support/processes.ts';
import { root, useCluster, type E2eCluster } from '../support/cluster.ts';
import { applyStreamJobCrd } from '../support/stream-job-crd.ts';
import { captureGitOpsHealth } from '../support/gitops-health.ts';
import { RELEASE, chart, uninstallOperator } from '../operator/operator-harness.ts';

/** The namespace `npm run sandbox -- up --kafka` runs the broker in, which examples/kafka-wordcount.yaml names. */
const BROKER_NAMESPACE = 'kafka';
const EXAMPLE = join(root, 'examples/kafka-wordcount.yaml');
let cluster: E2eCluster;
let kafka: ClusterKafka;
let topics: KafkaTopicsAt;

/** The README's steps after `npm run sandbox -- up --kafka`: the operator (one replica here, to spare the suite a process), MinIO's keys as minio-creds. */
async function installOperator(): Promise<void> {
  await applyStreamJobCrd(cluster);
  const install = await cluster.helm(['install', RELEASE, chart, '-n', cluster.namespace, '--skip-crds', '--set', 'replicas=1', '--set', `watchNamespaces={${cluster.namespace}}`, '--wait', '--timeout=120s']);
  if (install.code !== 0) throw new Error(`helm install failed (${install.code}): ${install.stderr}`);
  await cluster.kubectlOk(['create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${cluster.s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${cluster.s3.secretAccessKey}`]);
}

beforeAll(async () => {
  cluster = await useCluster('e2e-kafka');
  [kafka] = await Promise.all([startKafkaInCluster(cluster.api, { dataDir: join(cluster.dir, 'kafka-broker-pod'), namespace: BROKER_NAMESPACE }), installOperator()]);
  topics = new KafkaTopicsAt(kafka.bootstrapServers);
}, 240_000);

afterAll(async () => {
  await topics?.closeClients();
  await uninstallOperator(cluster, RELEASE);
  await cluster?.kubectl(['delete', 'namespace', BROKER_NAMESPACE, '--wait=false']);
  await cluster?.release();
}, 120_000);

// Declared after the hooks above, so that its afterAll (closing the consumer) runs before theirs.
describe('Kafka in the sandbox', () => {
  let consumer: Consumer<string, string, string, string> | undefined;
  afterAll(() => consumer?.close(true));

  it('serves a pod that produces to kafka.kafka:9092 and this machine that reads the records back', async () => {
    expect(kafka.clusterBootstrapServers).toBe('kafka.kafka:9092');
    await topics.createTopic('greetings', 1);
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

    consumer = new Consumer({ clientId: 'e2e-consumer', groupId: 'e2e-kafka', bootstrapBrokers: [kafka.bootstrapServers], deserializers: stringDeserializers });
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

interface StreamJobStatus {
  phase?: string;
  jobState?: string;
  message?: string;
  conditions?: { type: string; status: string; reason: string; message: string }[];
  lastFailure?: { reason: string; message: string };
  lastCheckpoint?: { id: number };
}

const sjStatus = async (name: string): Promise<StreamJobStatus> => JSON.parse((await cluster.kubectlOk(['get', 'sj', name, '-o', 'jsonpath={.status}'])) || '{}') as StreamJobStatus;

/** The `type reason: message` of the StreamJob's events. */
async function events(name: string): Promise<string[]> {
  const list = await cluster.core.listNamespacedEvent({ namespace: cluster.namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items.map((e) => `${e.type} ${e.reason}: ${e.message}`);
}

/** `npm run kafka -- topic NAME --partitions N --bootstrap ADDRESS`, as the README says to create the example's topics. */
async function createTopicAsReadmeSays(name: string, partitions: number): Promise<string> {
  const r = await runCommand('npm', ['run', '-s', 'kafka', '--', 'topic', name, '--partitions', String(partitions), '--bootstrap', kafka.bootstrapServers], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cluster.dir }, undefined, 60_000, root);
  if (r.code !== 0) throw new Error(`npm run kafka -- topic ${name} exited ${r.code}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('Kafka StreamJobs in the sandbox', () => {
  const WORDS = ['stream', 'kafka', 'state', 'barrier', 'window'];
  /** Line n: three of WORDS; lower-case and space-separated, so the example's tokenizer splits them as given. */
  const line = (n: number) => [WORDS[n % 5]!, WORDS[(2 * n + 1) % 5]!, WORDS[(3 * n + 2) % 5]!];
  const LINES = 200;

  /** What a read_committed consumer of word-counts must see: `<word>:<count>` for every count 1..n of every word, once. */
  function expectedCounts(): string[] {
    const totals = new Map<string, number>();
    for (let n = 0; n < LINES; n++) for (const word of line(n)) totals.set(word, (totals.get(word) ?? 0) + 1);
    return [...totals].flatMap(([word, total]) => Array.from({ length: total }, (_, i) => `${word}:${i + 1}`)).sort();
  }

  const produceLines = (from: number, to: number) =>
    topics.produce('lines', Array.from({ length: to - from }, (_, i) => ({ value: line(from + i).join(' '), partition: (from + i) % 4 })));

  it('a wrong bootstrap address or a missing topic: the StreamJob says why, while it restarts and once it failed', async () => {
    const example = parse(readFileSync(EXAMPLE, 'utf8'));
    // The example's manifest running the Kafka copy job of kafka-errors-processes.test.ts (whose at-least-once
    // sink makes no connection before it has records, so the source's error is the one failure), with a wrong
    // address or topic, and a restart strategy that fails at once or waits long.
    const misconfigured = (name: string, args: string[], restartStrategy: object) => ({
      ...example,
      metadata: { name },
      spec: { ...example.spec, job: { ...example.spec.job, entry: 'test/integration/connectors/kafka/jobs/kafka-nowhere.ts', args, parallelism: 1 }, restartStrategy },
    });
    await cluster.kubectlOk(
      ['apply', '-f', '-'],
      [
        misconfigured('wrong-bootstrap', ['kafka.kafka:9099', 'lines', 'word-counts'], { type: 'none' }),
        misconfigured('missing-topic', ['kafka.kafka:9092', 'no-such-topic', 'word-counts'], { type: 'fixed-delay', attempts: 1, delay: '10m' }),
      ].map((m) => stringify(m)).join('---\n'),
    );
    const statusOf = (name: string, phase: string, state: string) => waitFor(`StreamJob ${name} ${phase} with job state ${state}`, async () => {
      const status = await sjStatus(name);
      return status.phase === phase && status.jobState === state ? status : undefined;
    }, 150_000, 1000);
    const [wrongBootstrap, missingTopic] = await Promise.all([statusOf('wrong-bootstrap', 'Failed', 'FAILED'), statusOf('missing-topic', 'Running', 'RESTARTING')]);

    // The pod's address behind kafka.kafka refuses port 9099; nothing restarts the job.
    expect(wrongBootstrap.lastFailure).toEqual({
      time: expect.any(String),
      reason: 'Error',
      message: expect.stringMatching(/^split enumerator of source "In" failed: KafkaSource: cannot discover the partitions of "lines" at kafka\.kafka:9099: connect ECONNREFUSED 127\.\d+\.\d+\.\d+:9099 \(restart strategy "none" does not restart\)$/),
    });
    const failed = `The job failed and its restart strategy is exhausted: Error: ${wrongBootstrap.lastFailure!.message}`;
    expect(wrongBootstrap.message).toBe(failed);
    expect(await events('wrong-bootstrap')).toContain(`Warning Failed: ${failed}`);
    // The topic is missing; the job waits 10 minutes to try again, and says why meanwhile.
    const unknownTopic = 'split enumerator of source "In" failed: KafkaSource: cannot discover the partitions of "no-such-topic" at kafka.kafka:9092: Unknown topic no-such-topic.';
    expect(missingTopic.lastFailure).toEqual({ time: expect.any(String), reason: 'Error', message: unknownTopic });
    expect(missingTopic.message).toBe(`The job is RESTARTING after: Error: ${unknownTopic}`);
    expect(missingTopic.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'JobRestarting', message: missingTopic.message });
    // Issue 15 item 7: what Argo CD's health check and kstatus (Flux) read from the two StreamJobs.
    const [failedJob, restartingJob] = await Promise.all([captureGitOpsHealth(cluster, 'wrong-bootstrap'), captureGitOpsHealth(cluster, 'missing-topic')]);
    expect([failedJob.argocd, failedJob.kstatus]).toEqual([{ status: 'Degraded', message: failed }, { status: 'Failed', message: failed }]);
    expect([restartingJob.argocd, restartingJob.kstatus]).toEqual([{ status: 'Progressing', message: missingTopic.message }, { status: 'InProgress', message: missingTopic.message }]);
    await cluster.kubectlOk(['delete', 'sj', 'wrong-bootstrap', 'missing-topic', '--timeout=60s']);
  }, 240_000);

  it('runs as the README says: every word count read back from word-counts read_committed, exactly once', async () => {
    expect(await Promise.all([createTopicAsReadmeSays('lines', 4), createTopicAsReadmeSays('word-counts', 2)])).toEqual([
      `topic lines (4 partitions) at ${kafka.bootstrapServers}`,
      `topic word-counts (2 partitions) at ${kafka.bootstrapServers}`,
    ]);
    await produceLines(0, LINES / 2);
    expect(await cluster.kubectlOk(['apply', '-f', EXAMPLE])).toBe('streamjob.sluice.dev/kafka-wordcount created\n');
    await waitFor('kafka-wordcount Ready', async () => ((await sjStatus('kafka-wordcount')).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined), 180_000, 1000);
    // The second half while the job runs: an unbounded source reads on.
    await produceLines(LINES / 2, LINES);
    const expected = expectedCounts();
    await waitFor(`all ${expected.length} counts committed`, async () => ((await topics.readAll('word-counts', 2)).length >= expected.length ? true : undefined), 120_000, 1000);
    // Two more checkpoints than status shows now: the second one's barrier came after this moment, so
    // whatever else the job wrote (a count twice) would be committed by then.
    const shown = (await sjStatus('kafka-wordcount')).lastCheckpoint?.id ?? 0;
    await waitFor(`checkpoint ${shown + 2} in status`, async () => (((await sjStatus('kafka-wordcount')).lastCheckpoint?.id ?? 0) >= shown + 2 ? true : undefined), 60_000, 1000);
    const records = await topics.readAll('word-counts', 2);
    expect(records.map((r) => r.value).sort()).toEqual(expected);
    // Keyed by the word, each word's counts in one partition, in order.
    expect(records.filter((r) => r.key !== r.value.split(':')[0])).toEqual([]);
    for (const word of WORDS) {
      const counts = records.filter((r) => r.key === word);
      expect(counts.map((r) => r.value)).toEqual(counts.map((_, i) => `${word}:${i + 1}`));
    }
    const [header, row] = (await cluster.kubectlOk(['get', 'sj', 'kafka-wordcount'])).trim().split('\n');
    expect(header).toMatch(/^NAME\s+PHASE\s+PARALLELISM\s+LAST CHECKPOINT\s+RESTARTS\s+AGE/);
    expect(row).toMatch(/^kafka-wordcount\s+Running\s+2\s+\d+\s+0\s+/);
  }, 300_000);
});
