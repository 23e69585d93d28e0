import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type AuditRecord } from '../../../sandbox/apiserver/server.ts';
import { startKubelet, type Kubelet } from '../../../sandbox/kubelet/kubelet.ts';
import type { Pod } from '../../../sandbox/kubelet/kube-types.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** B's API server, this kubelet, the real kubectl and client-node, in a temp state dir. */
export interface TestCluster {
  dir: string;
  apiServerUrl: string;
  kubeconfigPath: string;
  kubelet: Kubelet;
  core: CoreV1Api;
  kubectl(args: string[], stdin?: string): Promise<CommandResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: string[], stdin?: string): Promise<string>;
  pod(namespace: string, name: string): Promise<Pod | undefined>;
  requestLog(): AuditRecord[];
  stop(): Promise<void>;
}

export async function startTestCluster(options: { backoffScale?: number } = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubelet-test-'));
  const { kubectl: kubectlPath } = await ensureKubeTools();
  const api = await startApiServer({ dataDir: join(dir, 'apiserver') });
  let kubelet: Kubelet;
  try {
    kubelet = await startKubelet({
      server: api.url,
      token: api.adminToken,
      caCertificate: readFileSync(api.caCertPath, 'utf8'),
      dir: join(dir, 'kubelet'),
      backoffScale: options.backoffScale ?? 1,
      volumeSyncSeconds: 1,
    });
  } catch (err) {
    await api.stop();
    throw err;
  }
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const kubectl = (args: string[], stdin?: string) => run(kubectlPath, ['--kubeconfig', api.kubeconfigPath, ...args], stdin);
  return {
    dir,
    apiServerUrl: api.url,
    kubeconfigPath: api.kubeconfigPath,
    kubelet,
    core,
    kubectl,
    async kubectlOk(args, stdin) {
      const result = await kubectl(args, stdin);
      if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
      return result.stdout;
    },
    async pod(namespace, name) {
      try {
        return (await core.readNamespacedPod({ namespace, name })) as unknown as Pod;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return undefined;
        throw err;
      }
    },
    requestLog: () => api.requestLog(),
    async stop() {
      try {
        await kubelet.stop();
      } finally {
        await api.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Runs a command to completion (SIGKILLed after `timeoutMs`), collecting its output. */
export function run(file: string, args: string[], stdin?: string, timeoutMs = 30_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

/** A pod manifest whose single container runs a Node script (`node -e`). */
export function nodePod(name: string, script: string, extra: { container?: Record<string, unknown>; spec?: Record<string, unknown>; labels?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      terminationGracePeriodSeconds: 2,
      ...extra.spec,
      containers: [{ name: 'main', image: 'sluice/runtime:test', command: ['node', '-e', script], ...extra.container }],
    },
  };
}

export function condition(pod: Pod | undefined, type: string): string | undefined {
  return pod?.status?.conditions?.find((c) => c.type === type)?.status;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
