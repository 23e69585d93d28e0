import { randomBytes } from 'node:crypto';
import { ensureBinaries } from '../binaries/binaries.ts';
import { isApiError, type ApiClient } from '../kubelet/api-client.ts';
import type { Pod } from '../kubelet/kube-types.ts';
import { MINIO_POD_PORT, minioContainer } from './minio-container.ts';
import { createBuckets } from './server.ts';

/** MinIO running in the cluster, and where each side reaches it. */
export interface ClusterS3 {
  /** Where this machine reaches it: the pod's loopback address. */
  endpoint: string;
  /** Where pods reach it, by Service name: `http://minio.minio:9000`. */
  clusterEndpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: string[];
}

export interface ClusterS3Options {
  /** Where MinIO keeps its objects (a hostPath volume of the pod). */
  dataDir: string;
  buckets: string[];
  namespace?: string;
  readyTimeoutMs?: number;
  /** Progress lines of a first build of MinIO (default: stderr). */
  buildLog?: (line: string) => void;
}

const PORT = MINIO_POD_PORT;

/**
 * Deploys MinIO as a user would on a cluster: a namespace, a Secret with its root credentials, a
 * Deployment of one pod and a Service `minio` in front of it, so pods reach it as
 * `http://minio.<namespace>:9000`. Resolves once the pod is Ready and the buckets exist.
 */
export async function startMinioInCluster(api: ApiClient, options: ClusterS3Options): Promise<ClusterS3> {
  const { minio: binary } = await ensureBinaries(['minio'], options.buildLog ? { log: options.buildLog } : {});
  const ns = options.namespace ?? 'minio';
  const accessKeyId = `sandbox-${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const labels = { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/part-of': 'sluice-sandbox' };
  await createOrReplace(api, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, false);
  await createOrReplace(api, `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'minio-root', labels },
    stringData: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
  });
  await createOrReplace(api, `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'minio', labels },
    spec: { selector: labels, ports: [{ name: 's3', port: PORT, targetPort: PORT, protocol: 'TCP' }] },
  }, false);
  await createOrReplace(api, `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'minio', labels },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 5,
          volumes: [{ name: 'data', hostPath: { path: options.dataDir, type: 'DirectoryOrCreate' } }],
          containers: [
            {
              ...minioContainer({ binary, directory: options.dataDir, credentials: { secretName: 'minio-root' } }),
              image: 'sluice-sandbox/minio:source',
              volumeMounts: [{ name: 'data', mountPath: options.dataDir }],
            },
          ],
        },
      },
    },
  });
  const ip = await readyPodIp(api, ns, labels, options.readyTimeoutMs ?? 120_000);
  const endpoint = `http://${ip}:${PORT}`;
  await createBuckets(endpoint, { accessKeyId, secretAccessKey }, options.buckets);
  return { endpoint, clusterEndpoint: `http://minio.${ns}:${PORT}`, region: 'us-east-1', accessKeyId, secretAccessKey, buckets: options.buckets };
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
    if (Date.now() > deadline) throw new Error(`MinIO in namespace ${ns} not ready within ${timeoutMs / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
