import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import { parseRunKey, restToken } from '../../../runtime/rest/run-key.ts';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { waitFor } from '../../support/processes.ts';
import type { E2eCluster } from './cluster.ts';

/** REST tokens by namespace/job/run: a run's key never changes. */
const tokens = new Map<string, string>();

/**
 * A GET of a run's JobManager REST API by its pod address (loopback in the sandbox), with the run's
 * bearer token computed from the run's key Secret (read as the cluster's admin; the operator derives it).
 */
export async function jobManagerGet<T>(cluster: E2eCluster, job: string, run: number, path: string): Promise<T> {
  const pod = await cluster.pod(`${job}-jobmanager`);
  const ip = pod?.status?.podIP;
  if (ip === undefined) throw new Error(`pod ${job}-jobmanager has no address`);
  const key = `${cluster.namespace}/${job}/${run}`;
  let token = tokens.get(key);
  if (token === undefined) {
    const secret = JSON.parse(await cluster.kubectlOk(['get', 'secret', `${job}-run-${run}-key`, '-o', 'json'])) as { data: Record<string, string> };
    token = restToken(parseRunKey(Buffer.from(secret.data['run-key']!, 'base64').toString()));
    tokens.set(key, token);
  }
  const response = await fetch(`http://${ip}:8081${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The run's checkpoint statistics, or undefined while its JobManager does not answer. */
export async function checkpointStats(cluster: E2eCluster, job: string, run: number, jobId: string): Promise<CheckpointingStatistics | undefined> {
  try {
    return await jobManagerGet<CheckpointingStatistics>(cluster, job, run, `/jobs/${jobId}/checkpoints`);
  } catch {
    return undefined;
  }
}

/** A fresh directory for the exactly-once sink, mounted as a hostPath into the TaskManager pods (which run as non-root). */
export function outputDirectory(cluster: E2eCluster, name: string): string {
  const output = join(cluster.dir, `${cluster.namespace}-${name}`);
  rmSync(output, { recursive: true, force: true });
  mkdirSync(output, { recursive: true });
  chmodSync(output, 0o777);
  return output;
}

/** The sink's committed lines (published parts only; in-progress parts are dot-files), sorted. */
export function committedLines(directory: string): string[] {
  return readdirSync(directory)
    .filter((f) => !f.startsWith('.'))
    .flatMap((f) => readFileSync(join(directory, f), 'utf8').split('\n').filter((l) => l !== ''))
    .sort();
}

/** Lines expected but absent (lost), and lines committed more often than expected or never expected (duplicated). */
export function compareLines(expected: readonly string[], committed: readonly string[]): { lost: number; duplicated: number } {
  const left = new Map<string, number>();
  for (const line of expected) left.set(line, (left.get(line) ?? 0) + 1);
  let duplicated = 0;
  for (const line of committed) {
    const n = left.get(line) ?? 0;
    if (n === 0) duplicated++;
    else left.set(line, n - 1);
  }
  let lost = 0;
  for (const n of left.values()) lost += n;
  return { lost, duplicated };
}

/**
 * Upgrades the release without the chart's admission policy (which refuses the hostPath volume the
 * exactly-once sink writes to) and waits until the API server no longer enforces it: a server-side
 * dry run of such a StreamJob is accepted.
 */
export async function withoutAdmissionPolicy(cluster: E2eCluster, release: string, chart: string): Promise<void> {
  const upgrade = await cluster.helm(['upgrade', release, chart, '-n', cluster.namespace, '--reuse-values', '--set', 'admissionPolicy.enabled=false']);
  if (upgrade.code !== 0) throw new Error(`helm upgrade failed: ${upgrade.stderr}`);
  const probe = stringify({
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'StreamJob',
    metadata: { name: 'admission-probe' },
    spec: {
      image: 'probe',
      job: { entry: 'probe.ts' },
      taskManager: { podTemplate: { spec: { volumes: [{ name: 'output', hostPath: { path: '/tmp' } }] } } },
      checkpointing: { storage: { filesystem: { path: '/tmp' } } },
    },
  });
  await waitFor('the admission policy lifted', async () => ((await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], probe)).code === 0 ? true : undefined), 30_000, 250);
}

/**
 * What a file running the exactly-once counting job needs besides its operator: its bucket in MinIO,
 * the credentials Secret `minio-creds`, and no admission policy (see {@link withoutAdmissionPolicy}).
 * Returns the S3 client, to destroy after the file's tests.
 */
export async function prepareCountingJobs(cluster: E2eCluster, bucket: string, release: string, chart: string): Promise<S3Client> {
  const s3 = new S3Client({ endpoint: cluster.s3.endpoint, region: cluster.s3.region, forcePathStyle: true, credentials: { accessKeyId: cluster.s3.accessKeyId, secretAccessKey: cluster.s3.secretAccessKey } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await cluster.kubectlOk(['create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${cluster.s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${cluster.s3.secretAccessKey}`]);
  await withoutAdmissionPolicy(cluster, release, chart);
  return s3;
}

/**
 * A StreamJob of the exactly-once counting job (test/e2e/operator/fixtures/exactly-once-counting-job.ts):
 * `count` records at `rate` per second, parallelism 2 on two TaskManagers, checkpoints every second
 * under `<bucket>/<name>` in MinIO, the sink writing to `output` (a hostPath of the TaskManagers);
 * `spec` adds to or replaces top-level spec fields.
 */
export function countingJobManifest(cluster: E2eCluster, o: { name: string; output: string; count: number; rate: number; bucket: string; spec?: Record<string, unknown> }) {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'StreamJob',
    metadata: { name: o.name },
    spec: {
      image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
      job: { entry: 'test/e2e/operator/fixtures/exactly-once-counting-job.ts', args: ['/output/main', String(o.count), String(o.rate)], parallelism: 2 },
      taskManager: {
        replicas: 2,
        podTemplate: {
          spec: {
            volumes: [{ name: 'output', hostPath: { path: o.output, type: 'Directory' } }],
            containers: [{ name: 'taskmanager', volumeMounts: [{ name: 'output', mountPath: '/output' }] }],
          },
        },
      },
      checkpointing: {
        interval: '1s',
        storage: { s3: { endpoint: cluster.s3.clusterEndpoint, bucket: o.bucket, prefix: o.name, region: cluster.s3.region, forcePathStyle: true, credentialsSecret: 'minio-creds' } },
      },
      ...o.spec,
    },
  };
}
