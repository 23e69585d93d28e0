import { randomBytes } from 'node:crypto';
import { ensureBinaries } from '../binaries/binaries.ts';
import type { ApiClient } from '../kube-api/api-client.ts';
import { deploySinglePodService } from '../workloads/single-pod-service.ts';
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
  const ip = await deploySinglePodService(api, {
    namespace: ns,
    name: 'minio',
    port: PORT,
    dataDir: options.dataDir,
    extraObjects: [{ kind: 'Secret', collection: 'secrets', body: { metadata: { name: 'minio-root' }, stringData: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } } }],
    container: { ...minioContainer({ binary, directory: options.dataDir, credentials: { secretName: 'minio-root' } }), image: 'sluice-sandbox/minio:source' },
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
  const endpoint = `http://${ip}:${PORT}`;
  await createBuckets(endpoint, { accessKeyId, secretAccessKey }, options.buckets);
  return { endpoint, clusterEndpoint: `http://minio.${ns}:${PORT}`, region: 'us-east-1', accessKeyId, secretAccessKey, buckets: options.buckets };
}
