// Start-up through the operator on the full sandbox (API server, process kubelet, S3): the time from
// `kubectl apply` of a StreamJob to all its pods Running and to the job Running (status.phase), against
// the same job started as JobManager and TaskManager processes directly (no Kubernetes, no operator)
// until all its subtasks run, measured in the same run. Best of three rounds each.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { startSandbox } from '../sandbox/sandbox.ts';
import { ensureKubeTools } from '../sandbox/tools/kube-tools.ts';
import { allRunning, Cluster } from '../test/integration/cluster/cluster-fixture.ts';
import { runCommand } from '../test/support/command.ts';
import { waitFor } from '../test/support/processes.ts';
import type { BenchResult } from './bench-result.ts';

const ROUNDS = 3;
const root = resolve(import.meta.dirname, '..');
const JOB = 'test/e2e/operator/fixtures/counting-job.ts';


/** Milliseconds from starting JobManager + 2 TaskManagers to every subtask running. */
async function directStart(): Promise<number> {
  const cluster = new Cluster({ entry: JOB, parallelism: 2, taskManagers: 2 });
  try {
    const start = performance.now();
    await cluster.start();
    await cluster.waitForDetails('all subtasks running', allRunning, 120_000);
    return performance.now() - start;
  } finally {
    await cluster.stop();
  }
}

export async function run(): Promise<BenchResult[]> {
  const dir = join(root, '.sandbox', `bench-startup-${process.pid}`);
  const tools = await ensureKubeTools();
  const sandbox = await startSandbox({ dir });
  const env = { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: sandbox.kubeconfigPath };
  const ok = async (tool: string, args: string[], stdin?: string) => {
    const r = await runCommand(tool, args, env, stdin, 180_000);
    if (r.code !== 0) throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  try {
    const s3 = sandbox.s3!;
    await ok(tools.helm, ['install', 'sluice', join(root, 'charts/sluice-operator'), '-n', 'sluice-system', '--create-namespace', '--set', 'replicas=1', '--wait']);
    await ok(tools.kubectl, ['create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}`]);
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const best = { pods: Infinity, job: Infinity, direct: Infinity };
    for (let round = 0; round < ROUNDS; round++) {
      const name = `startup-${round}`;
      const manifest = {
        apiVersion: 'sluice.dev/v1alpha1',
        kind: 'StreamJob',
        metadata: { name, namespace: 'default' },
        spec: {
          image: 'ghcr.io/sluice-dev/sluice-runtime:0.1.0',
          job: { entry: JOB, parallelism: 2 },
          taskManager: { replicas: 2, slots: 1 },
          checkpointing: { interval: '1s', storage: { s3: { endpoint: s3.clusterEndpoint, bucket: 'checkpoints', prefix: 'bench', region: s3.region, forcePathStyle: true, credentialsSecret: 'minio-creds' } } },
        },
      };
      const start = performance.now();
      await ok(tools.kubectl, ['apply', '-f', '-'], stringify(manifest));
      const podsRunning = waitFor(
        `the pods of ${name} Running`,
        async () => {
          const pods = (await core.listNamespacedPod({ namespace: 'default', labelSelector: `sluice.dev/job=${name}` })).items;
          return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running') ? performance.now() - start : undefined;
        },
        180_000,
        25,
      );
      const jobRunning = waitFor(
        `${name} Running`,
        async () => {
          const job = (await custom.getNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', namespace: 'default', plural: 'streamjobs', name })) as { status?: { phase?: string } };
          return job.status?.phase === 'Running' ? performance.now() - start : undefined;
        },
        180_000,
        25,
      );
      best.pods = Math.min(best.pods, await podsRunning);
      best.job = Math.min(best.job, await jobRunning);
      await ok(tools.kubectl, ['delete', 'sj', name, '--timeout=120s']);
      best.direct = Math.min(best.direct, await directStart());
    }
    const against = 'vs JobManager + 2 TaskManager processes started directly (ms, lower is better)';
    return [
      { name: `startup: kubectl apply to all 3 pods Running ${against}`, unit: 'ms', value: best.pods, baseline: best.direct, ratio: best.pods / best.direct },
      { name: `startup: kubectl apply to StreamJob Running ${against}`, unit: 'ms', value: best.job, baseline: best.direct, ratio: best.job / best.direct },
    ];
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Runnable on its own: node --import tsx bench/job-startup.bench.ts
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await run()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
