import { isApiError, type ApiClient } from '../kube-api/api-client.ts';
import type { Pod } from '../kube-api/kube-types.ts';

/** A server the sandbox runs in the cluster as a user would: one pod of a Deployment behind a Service. */
export interface SinglePodService {
  namespace: string;
  /** Name of the Deployment and the Service: pods reach it as `<name>.<namespace>:<port>`. */
  name: string;
  port: number;
  /** The pod's one container (command, env, probes, volumeMounts). */
  container: Record<string, unknown>;
  /** Directory on this machine the pod keeps its data in (a hostPath volume mounted at the same path). */
  dataDir: string;
  /** Objects the pod needs first (e.g. a Secret), created in the namespace. */
  extraObjects?: { kind: string; collection: string; body: { metadata: { name: string; [field: string]: unknown }; [field: string]: unknown } }[];
  readyTimeoutMs?: number;
}

/**
 * Creates (or updates) the namespace, `extraObjects`, a Service selecting the pod and a
 * Deployment of one pod (Recreate, no service-account token, the data directory as a hostPath
 * volume), and resolves with the pod's address once it is Ready.
 */
export async function deploySinglePodService(api: ApiClient, s: SinglePodService): Promise<string> {
  const labels = { 'app.kubernetes.io/name': s.name, 'app.kubernetes.io/part-of': 'sluice-sandbox' };
  const ns = s.namespace;
  await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, false);
  for (const object of s.extraObjects ?? []) {
    await createOrReplace(api, `/api/v1/namespaces/${ns}/${object.collection}`, { apiVersion: 'v1', kind: object.kind, ...object.body, metadata: { ...object.body.metadata, labels } });
  }
  await createOrReplace(
    api,
    `/api/v1/namespaces/${ns}/services`,
    { apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, labels }, spec: { selector: labels, ports: [{ name: s.name, port: s.port, targetPort: s.port, protocol: 'TCP' }] } },
    false,
  );
  await createOrReplace(api, `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: s.name, labels },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 5,
          volumes: [{ name: 'data', hostPath: { path: s.dataDir, type: 'DirectoryOrCreate' } }],
          containers: [{ ...s.container, volumeMounts: [{ name: 'data', mountPath: s.dataDir }] }],
        },
      },
    },
  });
  return readyPodIp(api, ns, labels, s.readyTimeoutMs ?? 120_000);
}

/** Creates the object; on 409 replaces it (`replace`) or keeps what exists. */
async function createOrReplace(api: ApiClient, collection: string, body: { metadata: { name: string; [field: string]: unknown }; [field: string]: unknown }, replace = true): Promise<void> {
  try {
    await api.request('POST', collection, body);
  } catch (err) {
    if (!isApiError(err, 409)) throw err;
    if (replace) await api.request('PATCH', `${collection}/${body.metadata.name}`, body, 'application/merge-patch+json');
  }
}

async function readyPodIp(api: ApiClient, ns: string, labels: Record<string, string>, timeoutMs: number): Promise<string> {
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const deadline = Date.now() + timeoutMs;
  let last = 'no pod yet';
  for (;;) {
    const pods = await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
    for (const pod of pods.items) {
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      if (ready && pod.status?.podIP && pod.metadata.deletionTimestamp === undefined) return pod.status.podIP;
      last = `pod ${pod.metadata.name} is ${pod.status?.phase ?? 'Pending'} (${JSON.stringify(pod.status?.containerStatuses?.[0]?.state ?? {})})`;
    }
    if (Date.now() > deadline) throw new Error(`${labels['app.kubernetes.io/name']} in namespace ${ns} not ready within ${timeoutMs / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
