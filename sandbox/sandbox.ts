import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startApiServer } from './apiserver/server.ts';
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
  /** Scales the kubelet's restart back-off (default 1, as Kubernetes). */
  backoffScale?: number;
  /** Working directory of pod processes; default the project checkout. */
  cwd?: string;
  logger?: Logger;
}

export interface SandboxS3 {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  buckets: string[];
}

export interface Sandbox {
  apiServerUrl: string;
  kubeconfigPath: string;
  adminToken: string;
  kubelet?: Kubelet;
  s3?: SandboxS3;
  /** Stops kubelet (and every pod process), S3 server and API server. */
  stop(): Promise<void>;
}

/** Starts the API server emulation, the process kubelet and the S3 server in this process. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  mkdirSync(options.dir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn();
    stops.length = 0;
  };
  try {
    const api = await startApiServer({ dataDir: join(options.dir, 'apiserver') });
    stops.push(() => api.stop());
    let kubelet: Kubelet | undefined;
    if (options.kubelet !== false) {
      kubelet = await startKubelet({
        server: api.url,
        token: api.adminToken,
        caCertificate: readFileSync(api.caCertPath, 'utf8'),
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
      const server = await startS3Server({ directory: join(options.dir, 's3'), buckets });
      stops.push(() => server.stop());
      s3 = { endpoint: server.endpoint, region: 'us-east-1', accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey, buckets };
    }
    return {
      apiServerUrl: api.url,
      kubeconfigPath: api.kubeconfigPath,
      adminToken: api.adminToken,
      ...(kubelet === undefined ? {} : { kubelet }),
      ...(s3 === undefined ? {} : { s3 }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
