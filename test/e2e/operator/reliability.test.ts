import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { committedLines, jobManagerGet, outputDirectory, withoutAdmissionPolicy } from '../support/stream-job-runs.ts';
import { expectedLines } from './fixtures/exactly-once-counting-job.ts';
import { RELEASE, chart, eventually, startOperatorHarness, type OperatorHarness } from './operator-harness.ts';

// Issue 12 items 4, 5 and 6 on the real control plane with the process kubelet and MinIO, the
// operator run as the chart runs it: the StreamJob's restart strategy as the JobManager
// runs it, a savepoint upgrade whose JobManager pod is deleted while its stop-with-savepoint is in
// flight (exact output afterwards), and pods that cannot start their containers shown as Degraded.
const NAMESPACE = 'e2e-reliability';
const BUCKET = 'e2e-reliability';
let harness: OperatorHarness;
let cluster: E2eCluster;
let s3: S3Client;

const sj = async (name: string) => (await cluster.api.get<{ metadata: { uid: string }; status?: any }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${name}`)); // eslint-disable-line @typescript-eslint/no-explicit-any
const condition = (status: { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined, type: string) => status?.conditions?.find((c) => c.type === type);

// The operator runs outside the cluster as the chart runs it, under the chart's ServiceAccount and rules (operator-harness.ts).
beforeAll(async () => {
  harness = await startOperatorHarness(NAMESPACE);
  cluster = harness.cluster;
  await withoutAdmissionPolicy(cluster, RELEASE, chart);
  s3 = new S3Client({ endpoint: cluster.s3.endpoint, region: cluster.s3.region, forcePathStyle: true, credentials: { accessKeyId: cluster.s3.accessKeyId, secretAccessKey: cluster.s3.secretAccessKey } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await cluster.kubectlOk(['create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${cluster.s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${cluster.s3.secretAccessKey}`]);
  await harness.startOperator('operator-0');
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await harness?.stop();
}, 90_000);

/** The exactly-once counting job (fixtures/exactly-once-counting-job.ts) writing to `output` on the TaskManagers' hostPath. */
function countingJob(name: string, output: string, count: number, rate: number, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'StreamJob',
    metadata: { name },
    spec: {
      image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
      job: { entry: 'test/e2e/operator/fixtures/exactly-once-counting-job.ts', args: ['/output/main', String(count), String(rate)], parallelism: 2, upgradeMode: 'savepoint' },
      taskManager: {
        replicas: 2,
        podTemplate: {
          spec: {
            volumes: [{ name: 'output', hostPath: { path: output, type: 'Directory' } }],
            containers: [{ name: 'taskmanager', volumeMounts: [{ name: 'output', mountPath: '/output' }] }],
          },
        },
      },
      checkpointing: {
        interval: '1s',
        timeout: '15s',
        storage: { s3: { endpoint: cluster.s3.clusterEndpoint, bucket: BUCKET, prefix: name, region: cluster.s3.region, forcePathStyle: true, credentialsSecret: 'minio-creds' } },
      },
      ...spec,
    },
  };
}

describe('restart strategies and savepoint upgrades', () => {
  it('runs the StreamJob\'s restart strategy unchanged, and an upgrade whose JobManager pod is deleted during its stop-with-savepoint commits exactly the expected output', async () => {
    const COUNT = 400;
    const output = outputDirectory(cluster, 'upgrade');
    const restartStrategy = { type: 'fixed-delay', attempts: 50, delay: '300ms' };
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(countingJob('upgrade', output, COUNT, 20, { restartStrategy })));
    const uid = (await sj('upgrade')).metadata.uid;
    await eventually('run 1 Running with a checkpoint', async () => {
      const s = (await sj('upgrade')).status;
      return s?.phase === 'Running' && s.lastCheckpoint ? s : undefined;
    }, 150_000);

    // Item 4: the ConfigMap holds the spec's strategy as written, and the JobManager runs exactly it.
    const config = parse(JSON.parse(await cluster.kubectlOk(['get', 'configmap', 'upgrade-config', '-o', 'json'])).data['sluice.yaml']);
    expect(config.restartStrategy).toEqual(restartStrategy);
    expect(await jobManagerGet(cluster, 'upgrade', 1, `/jobs/${uid}-1/config`)).toEqual({ jid: `${uid}-1`, name: 'upgrade', restartStrategy });

    // Item 5: a spec change in savepoint mode; the JobManager pod is deleted once the stop is requested.
    await cluster.kubectlOk(['patch', 'sj', 'upgrade', '--type=merge', '-p', JSON.stringify({ spec: { configuration: { 'heartbeat.timeout': '6s' } } })]);
    const inFlight = await eventually('the stop-with-savepoint requested', async () => {
      const upgrade = (await sj('upgrade')).status?.upgrade;
      return upgrade?.savepointTriggerId !== undefined ? upgrade : undefined;
    }, 60_000);
    await cluster.kubectlOk(['delete', 'pod', 'upgrade-jobmanager', '--wait=false']);
    expect(inFlight.step).toBe('Stopping');
    const finished = await eventually('run 2 Finished', async () => {
      const s = (await sj('upgrade')).status;
      return s?.run?.number === 2 && s.phase === 'Finished' ? s : undefined;
    }, 240_000);
    expect(finished.run.restoreFromRun).toBe(`${uid}-1`);
    expect(committedLines(join(output, 'main'))).toEqual(expectedLines(COUNT));
  }, 420_000);
});

describe('failures the user must see', () => {
  it('is Degraded with CreateContainerConfigError and the kubelet\'s message while a pod cannot configure its container, and no longer once it can', async () => {
    const job = countingJob('broken', outputDirectory(cluster, 'broken'), 100, 10, {
      jobManager: { podTemplate: { spec: { containers: [{ name: 'jobmanager', env: [{ name: 'EXTRA', valueFrom: { configMapKeyRef: { name: 'extra', key: 'value' } } }] }] } } },
    });
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(job));
    const degraded = await eventually('Degraded', async () => {
      const c = condition((await sj('broken')).status, 'Degraded');
      return c?.status === 'True' ? c : undefined;
    }, 90_000);
    expect(degraded).toMatchObject({ reason: 'CreateContainerConfigError', message: 'pod broken-jobmanager container jobmanager: CreateContainerConfigError: configmap "extra" not found' });
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=broken,involvedObject.kind=StreamJob,type=Warning', '-o', 'jsonpath={.items[*].reason}']);
    expect(events.split(' ')).toContain('CreateContainerConfigError');
    await cluster.kubectlOk(['create', 'configmap', 'extra', '--from-literal=value=1']);
    const healed = await eventually('Degraded lifted', async () => {
      const c = condition((await sj('broken')).status, 'Degraded');
      return c?.status === 'False' ? c : undefined;
    }, 90_000);
    expect(healed.reason).toBe('SpecValid');
  }, 240_000);
});
