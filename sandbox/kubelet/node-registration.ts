import { arch, cpus, totalmem } from 'node:os';
import type { Logger } from 'pino';
import { isApiError, type ApiClient } from '../kube-api/api-client.ts';

export interface NodeIdentity {
  nodeName: string;
  hostIP: string;
  kubeletPort: number;
  /** The kubelet version the Node reports: the API server's own, so version skew is nil. */
  version: string;
  /** Taints the Node is created with (the kubelet's `--register-with-taints`: NodeRestriction lets a node set them only at registration). */
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
}

const LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;
const RENEW_INTERVAL_MS = 10_000;

export function nodeCapacity(): { cpu: number; memoryBytes: number } {
  return { cpu: cpus().length, memoryBytes: totalmem() };
}

/** The Node's status as a kubelet posts it: addresses, endpoint, capacity, conditions, node info. */
export function nodeStatus(identity: NodeIdentity, now: string): Record<string, unknown> {
  const capacity = nodeCapacity();
  const resources = { cpu: String(capacity.cpu), memory: `${Math.floor(capacity.memoryBytes / 1024)}Ki`, pods: '110', 'ephemeral-storage': '10Gi' };
  const ok = (type: string, reason: string, message: string) => ({ type, status: 'False', reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [
      ok('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      ok('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      ok('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
    ],
    addresses: [
      { type: 'InternalIP', address: identity.hostIP },
      { type: 'Hostname', address: identity.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: identity.kubeletPort } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'Sluice sandbox',
      containerRuntimeVersion: 'process://1',
      kubeletVersion: identity.version,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: arch() === 'x64' ? 'amd64' : arch(),
    },
  };
}

async function createIgnoringConflict(api: ApiClient, path: string, body: unknown): Promise<void> {
  try {
    await api.request('POST', path, body);
  } catch (err) {
    if (!isApiError(err, 409)) throw err;
  }
}

/**
 * Registers the Node (creating it, with its taints, then posting its status through `nodes/status`) and keeps its
 * heartbeat: a `coordination.k8s.io` Lease in `kube-node-lease` renewed every 10 s, as kubelets do.
 */
export async function registerNode(api: ApiClient, identity: NodeIdentity, logger: Logger): Promise<{ stop(): void }> {
  const name = identity.nodeName;
  await createIgnoringConflict(api, '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch() } },
    spec: identity.taints === undefined || identity.taints.length === 0 ? {} : { taints: identity.taints },
  });
  const node = await api.get<{ metadata: { uid: string } }>(`/api/v1/nodes/${name}`);
  const postStatus = () => api.request('PATCH', `/api/v1/nodes/${name}/status`, { status: nodeStatus(identity, new Date().toISOString()) }, 'application/merge-patch+json');
  await postStatus();
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`;
  const renewTime = () => new Date().toISOString().replace('Z', '000Z');
  await createIgnoringConflict(api, leasePath, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    // owned by the Node, as the kubelet's Lease is: deleting the Node lets the garbage collector remove it
    metadata: { name, ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] },
    spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: renewTime() },
  });
  const timer = setInterval(() => {
    api
      .request('PATCH', `${leasePath}/${name}`, { spec: { holderIdentity: name, renewTime: renewTime() } }, 'application/merge-patch+json')
      .catch((err: unknown) => logger.warn({ err }, 'node lease renewal failed'));
  }, RENEW_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
