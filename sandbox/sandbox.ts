import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startApiServer } from './apiserver/server.ts';
import { ApiClient, isApiError } from './kubelet/api-client.ts';
import { startKubelet, type Kubelet } from './kubelet/kubelet.ts';
import { startS3Server } from './s3/server.ts';

export interface SandboxOptions {
  /** State directory: API server data, kubelet pods and logs, S3 objects. */
  dir: string;
  /** Start the process kubelet (default true). */
  kubelet?: boolean;
  /** Start the S3 server (default true). */
  s3?: boolean;
  /** Buckets the S3 server creates at start; default `checkpoints`. */
  buckets?: string[];
  /**
   * The Service under which pods reach the S3 server (with the kubelet only); default
   * `minio` in namespace `minio`, port 9000, i.e. `http://minio.minio:9000` as on a cluster with MinIO.
   */
  s3Service?: { namespace: string; name: string; port: number };
  /** Scales the kubelet's restart back-off (default 1, as Kubernetes). */
  backoffScale?: number;
  /** Working directory of pod processes; default the project checkout. */
  cwd?: string;
  logger?: Logger;
}

export interface SandboxS3 {
  /** Where this machine reaches the S3 server. */
  endpoint: string;
  /** Where pods reach it by Service name (with the kubelet only). */
  clusterEndpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: string[];
}

export interface Sandbox {
  apiServerUrl: string;
  kubeconfigPath: string;
  adminToken: string;
  /** PEM file of the API server's CA. */
  caCertPath: string;
  kubelet?: Kubelet;
  s3?: SandboxS3;
  /** Stops S3 server, kubelet (and every pod process) and API server. */
  stop(): Promise<void>;
}

const DEFAULT_S3_SERVICE = { namespace: 'minio', name: 'minio', port: 9000 };

/** Starts the API server emulation, the process kubelet and the S3 server in this process. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  mkdirSync(options.dir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const fn of stops.reverse()) await fn();
    })());
  try {
    const api = await startApiServer({ dataDir: join(options.dir, 'apiserver') });
    stops.push(() => api.stop());
    const caCertificate = readFileSync(api.caCertPath, 'utf8');
    const client = new ApiClient({ server: api.url, token: api.adminToken, ca: caCertificate });
    stops.push(() => client.close());
    let kubelet: Kubelet | undefined;
    if (options.kubelet !== false) {
      kubelet = await startKubelet({
        server: api.url,
        token: api.adminToken,
        caCertificate,
        dir: join(options.dir, 'kubelet'),
        ...(options.backoffScale === undefined ? {} : { backoffScale: options.backoffScale }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      stops.push(() => kubelet!.stop());
    }
    let s3: SandboxS3 | undefined;
    if (options.s3 !== false) {
      const buckets = options.buckets ?? ['checkpoints'];
      const service = options.s3Service ?? DEFAULT_S3_SERVICE;
      const host = kubelet?.allocateAddress() ?? '127.0.0.1';
      const server = await startS3Server({ directory: join(options.dir, 's3'), buckets, host, port: kubelet ? service.port : 0 });
      stops.push(() => server.stop());
      if (kubelet) await publishService(client, service, host);
      s3 = {
        endpoint: server.endpoint,
        ...(kubelet ? { clusterEndpoint: `http://${service.name}.${service.namespace}:${service.port}` } : {}),
        region: 'us-east-1',
        accessKeyId: server.accessKeyId,
        secretAccessKey: server.secretAccessKey,
        buckets,
      };
    }
    return {
      apiServerUrl: api.url,
      kubeconfigPath: api.kubeconfigPath,
      adminToken: api.adminToken,
      caCertPath: api.caCertPath,
      ...(kubelet === undefined ? {} : { kubelet }),
      ...(s3 === undefined ? {} : { s3 }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** A selector-less Service with hand-written Endpoints, the Kubernetes way to name a server outside the cluster's pods. */
async function publishService(client: ApiClient, service: { namespace: string; name: string; port: number }, ip: string): Promise<void> {
  const create = async (path: string, body: unknown) => {
    try {
      await client.request('POST', path, body);
    } catch (err) {
      if (!isApiError(err, 409)) throw err;
    }
  };
  const { namespace, name, port } = service;
  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await create(`/api/v1/namespaces/${namespace}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { 'app.kubernetes.io/part-of': 'sluice-sandbox' } },
    spec: { ports: [{ name: 'http', port, protocol: 'TCP' }] },
  });
  await create(`/api/v1/namespaces/${namespace}/endpoints`, {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port, protocol: 'TCP' }] }],
  });
}
