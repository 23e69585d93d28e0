import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCertificate, readKeyPair } from '../../../sandbox/controlplane/pki.ts';
import { isApiError } from '../../../sandbox/kube-api/api-client.ts';
import type { Pod } from '../../../sandbox/kube-api/kube-types.ts';
import { startKubelet, type Kubelet } from '../../../sandbox/kubelet/kubelet.ts';
import { waitFor } from '../../support/processes.ts';
import type { E2eCluster } from '../support/cluster.ts';

/** The e2e sandbox's restart back-off scale (`--backoff-scale 0.1` in global-setup.ts): restarts wait 0, 1 s, 2 s, ... */
export const BACKOFF_SCALE = 0.1;

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

export const finished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a container's process, from its `process://<pid>` containerID. */
export const containerPid = (pod: Pod, index = 0) => Number(pod.status!.containerStatuses![index]!.containerID!.replace('process://', ''));

/** Waits until the pod in the file's namespace exists and `test` holds for it. */
export function podWhere(cluster: E2eCluster, name: string, what: string, test: (pod: Pod) => boolean, timeoutMs?: number): Promise<Pod> {
  return waitFor(`pod ${name} ${what}`, async () => {
    const pod = await cluster.pod(name);
    return pod !== undefined && test(pod) ? pod : undefined;
  }, timeoutMs);
}

/** `kubectl apply -f -` of one manifest in the file's namespace. */
export const apply = (cluster: E2eCluster, manifest: unknown) => cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(manifest));

/**
 * A second process kubelet on the shared control plane, for tests that stop a kubelet or change
 * its options: its own node certificate (`system:node:<nodeName>`, signed by the sandbox CA), and
 * a `NoSchedule` taint so that the scheduler never puts another file's pod there. Its pods name it
 * in `nodeName` and tolerate the taint ({@link onNode}). `remove()` stops it and deletes the Node.
 */
export interface ExtraNode {
  kubelet: Kubelet;
  nodeName: string;
  remove(): Promise<void>;
}

export const EXTRA_NODE_TAINT = { key: 'sluice.dev/e2e-node', value: 'private', effect: 'NoSchedule' } as const;

export async function startExtraNode(cluster: E2eCluster, nodeName: string, options: { backoffScale?: number } = {}): Promise<ExtraNode> {
  const pki = { caCertPath: join(cluster.pkiDir, 'ca.crt'), caKeyPath: join(cluster.pkiDir, 'ca.key') };
  const certificate = await ensureCertificate(pki, cluster.pkiDir, `kubelet-${nodeName}`, { user: `system:node:${nodeName}`, groups: ['system:nodes'] }, { serverNames: ['IP:127.0.0.1', `DNS:${nodeName}`] });
  const dir = mkdtempSync(join(tmpdir(), `${nodeName}-`));
  const deleteNode = async () => {
    try {
      await cluster.api.request('DELETE', `/api/v1/nodes/${nodeName}`);
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  let kubelet: Kubelet;
  try {
    kubelet = await startKubelet({
      server: cluster.apiServerUrl,
      credentials: readKeyPair(certificate),
      caCertificate: readFileSync(cluster.caCertPath, 'utf8'),
      nodeName,
      dir,
      registerWithTaints: [EXTRA_NODE_TAINT],
      volumeSyncSeconds: 1,
      ...(options.backoffScale === undefined ? {} : { backoffScale: options.backoffScale }),
    });
  } catch (err) {
    await deleteNode();
    throw err;
  }
  return {
    kubelet,
    nodeName,
    async remove() {
      try {
        await kubelet.stop();
      } finally {
        await deleteNode();
      }
    },
  };
}

/** A pod manifest bound to `nodeName` (no scheduling) that tolerates the extra node's taint. */
export function onNode(manifest: Record<string, unknown>, nodeName: string): Record<string, unknown> {
  const spec = manifest.spec as Record<string, unknown>;
  return { ...manifest, spec: { ...spec, nodeName, tolerations: [{ ...EXTRA_NODE_TAINT, operator: 'Equal' }] } };
}
