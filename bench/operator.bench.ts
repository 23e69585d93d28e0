// Operator benchmarks against the sandbox's real control plane (kube-apiserver with etcd) without a kubelet, with 1,000 suspended
// StreamJobs (a suspended job is reconciled fully — finalizer, status — but has no pods):
// - reconcile throughput: StreamJobs brought to phase Suspended per second, from the first create
//   until the last status, against the raw rate of the same number of plain creates through
//   @kubernetes/client-node (no operator running) measured in the same run;
// - the operator's resident memory holding those 1,000 in its caches, against its memory at idle.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CustomObjectsApi, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startSandbox } from '../sandbox/sandbox.ts';
import { ensureKubeTools } from '../sandbox/tools/kube-tools.ts';
import { freePort } from '../test/support/free-port.ts';
import { waitFor } from '../test/support/processes.ts';
import type { BenchResult } from './bench-result.ts';

/** SLUICE_BENCH_OPERATOR_JOBS overrides the count for a quick look. */
const JOBS = Number(process.env.SLUICE_BENCH_OPERATOR_JOBS ?? 1000);
const CREATE_CONCURRENCY = 8;
const root = resolve(import.meta.dirname, '..');

function streamJob(namespace: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'StreamJob',
    metadata: { name, namespace },
    spec: {
      image: 'sluice-runtime:bench',
      job: { entry: 'examples/wordcount.ts', parallelism: 1, state: 'suspended' },
      checkpointing: { storage: { s3: { bucket: 'checkpoints', credentialsSecret: 'creds' } } },
    },
  };
}

async function createAll(custom: CustomObjectsApi, namespace: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CREATE_CONCURRENCY }, async () => {
      while (next < JOBS) {
        const i = next++;
        await custom.createNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', namespace, plural: 'streamjobs', body: streamJob(namespace, `job-${i}`) });
      }
    }),
  );
}

async function rss(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^sluice_operator_process_resident_memory_bytes (\d+)/m.exec(text);
  if (!match) throw new Error('the operator reports no resident memory');
  return Number(match[1]);
}

export async function run(): Promise<BenchResult[]> {
  const dir = join(root, '.sandbox', `operator-bench-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const api = await startSandbox({ dir, kubelet: false, s3: false });
  let operator: ReturnType<typeof spawn> | undefined;
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(api.kubeconfigPath);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const custom = kc.makeApiClient(CustomObjectsApi);
    // With kubectl: client-node's typed serializer would drop the schema's `default`s.
    const { kubectl } = await ensureKubeTools();
    await promisify(execFile)(kubectl, ['--kubeconfig', api.kubeconfigPath, 'apply', '--server-side', '-f', join(root, 'crds/streamjobs.sluice.dev.yaml')], { env: { PATH: process.env.PATH ?? '', HOME: dir } });
    for (const namespace of ['baseline', 'bench']) {
      await objects.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await objects.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace }, stringData: { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' } } as KubernetesObject);
    }
    await waitFor('the StreamJob resource', () => custom.listNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', namespace: 'baseline', plural: 'streamjobs' }), 20_000);

    // Baseline: plain creates, nobody watching.
    const createStart = performance.now();
    await createAll(custom, 'baseline');
    const createRate = JOBS / ((performance.now() - createStart) / 1000);

    const port = await freePort();
    const operatorKeyFile = join(dir, 'operator-key');
    writeFileSync(operatorKeyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    operator = spawn(process.execPath, ['--import', 'tsx', 'operator/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        KUBECONFIG: api.kubeconfigPath,
        POD_NAME: 'bench',
        POD_NAMESPACE: 'default',
        POD_IP: '127.0.0.1',
        SLUICE_HTTP_PORT: String(port),
        SLUICE_WATCH_NAMESPACES: 'bench',
        SLUICE_OPERATOR_KEY_FILE: operatorKeyFile,
        SLUICE_LOG_LEVEL: process.env.SLUICE_BENCH_OPERATOR_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', process.env.SLUICE_BENCH_OPERATOR_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
    });
    await waitFor('the operator leading', async () => ((await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).includes('sluice_operator_leader 1') ? true : undefined), 60_000);
    await waitFor('the operator ready', async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined), 60_000);
    const idleRss = await rss(port);

    let suspended = 0;
    const reconcileStart = performance.now();
    await createAll(custom, 'bench');
    await waitFor(
      () => `${JOBS} StreamJobs Suspended (${suspended} so far)`,
      async () => {
        const list = (await custom.listNamespacedCustomObject({ group: 'sluice.dev', version: 'v1alpha1', namespace: 'bench', plural: 'streamjobs' })) as { items: { status?: { phase?: string } }[] };
        suspended = list.items.filter((j) => j.status?.phase === 'Suspended').length;
        return suspended === JOBS ? true : undefined;
      },
      600_000,
      250,
    );
    const reconcileRate = JOBS / ((performance.now() - reconcileStart) / 1000);
    const loadedRss = await rss(port);
    return [
      { name: `operator: ${JOBS} suspended StreamJobs reconciled (create → status) vs plain creates`, unit: 'jobs/s', value: reconcileRate, baseline: createRate, ratio: reconcileRate / createRate },
      { name: `operator: resident memory with ${JOBS} StreamJobs vs idle (lower is better)`, unit: 'MiB', value: loadedRss / 2 ** 20, baseline: idleRss / 2 ** 20, ratio: loadedRss / idleRss },
    ];
  } finally {
    if (operator && operator.exitCode === null) {
      const exited = new Promise((r) => operator!.once('exit', r));
      operator.kill('SIGTERM');
      const timer = setTimeout(() => operator!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
