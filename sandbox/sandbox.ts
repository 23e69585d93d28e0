import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startControlPlane } from './controlplane/control-plane.ts';
import { ensureCertificate, readKeyPair, type KeyPair } from './controlplane/pki.ts';
import { ApiClient } from './kube-api/api-client.ts';
import { startKubelet, type Kubelet } from './kubelet/kubelet.ts';
import { ProcessRegistry } from './kubelet/process-registry.ts';
import { startKafkaInCluster, type ClusterKafka } from './kafka/kafka-in-cluster.ts';
import { startMinioInCluster, type ClusterS3 } from './s3/minio-in-cluster.ts';

export interface SandboxOptions {
  /** State directory: etcd data, PKI, component logs, kubelet pods and logs, MinIO objects. */
  dir: string;
  /** Start the process kubelet (default true). */
  kubelet?: boolean;
  /** Run MinIO as a pod (default true; needs the kubelet). */
  s3?: boolean;
  /** Run a Kafka broker as a pod behind `kafka.kafka:9092` (default false; needs the kubelet). */
  kafka?: boolean;
  /** Buckets MinIO gets at start; default `checkpoints`. */
  buckets?: string[];
  /** Scales the kubelet's restart back-off (default 1, as Kubernetes). */
  backoffScale?: number;
  /** Period of the kubelet's volume sync (default 10 s, as Kubernetes' sync period). */
  volumeSyncSeconds?: number;
  /** Working directory of pod processes; default the project checkout. */
  cwd?: string;
  logger?: Logger;
  /** Progress lines of the builds from source that a first start needs (default: the logger). */
  buildLog?: (line: string) => void;
}

/** The sandbox's S3 server: MinIO in a pod, reached from this machine by its pod address. */
export type SandboxS3 = ClusterS3;

export interface Sandbox {
  apiServerUrl: string;
  /** Admin kubeconfig (client certificate in `system:masters`). */
  kubeconfigPath: string;
  /** PEM file of the cluster CA. */
  caCertPath: string;
  /** The admin client certificate (`kubernetes-admin`, group `system:masters`). */
  admin: KeyPair;
  /** The API server's audit log (JSON lines): every request made by a service account. */
  auditLogPath: string;
  /** An admin API client, for harnesses. */
  api: ApiClient;
  kubelet?: Kubelet;
  s3?: SandboxS3;
  kafka?: ClusterKafka;
  /** Stops MinIO's pod processes with the kubelet (and every pod process), then the control plane. */
  stop(): Promise<void>;
}

export const NODE_NAME = 'sandbox-node';

/**
 * Starts the local world on real parts: etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler (built from source on first use), the process kubelet as the Node
 * `sandbox-node`, MinIO as a pod published as `http://minio.minio:9000`, and on request a Kafka
 * broker as a pod published as `kafka.kafka:9092`.
 */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  mkdirSync(options.dir, { recursive: true });
  const stops: (() => Promise<void> | void)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const fn of stops.reverse()) await fn();
    })());
  try {
    const processes = new ProcessRegistry(join(options.dir, 'processes'));
    const buildLog = options.buildLog ?? (options.logger ? (line: string) => options.logger!.info(line) : undefined);
    const controlPlane = await startControlPlane({
      dir: join(options.dir, 'controlplane'),
      processes,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(buildLog ? { buildLog } : {}),
    });
    stops.push(() => controlPlane.stop());
    const { pki } = controlPlane;
    const caCertificate = readFileSync(pki.caCertPath, 'utf8');
    const admin = readKeyPair(pki.admin);
    const api = new ApiClient({ server: controlPlane.url, credentials: admin, ca: caCertificate });
    stops.push(() => api.close());
    let kubelet: Kubelet | undefined;
    if (options.kubelet !== false) {
      const nodeCertificate = await ensureCertificate(pki, pki.dir, `kubelet-${NODE_NAME}`, { user: `system:node:${NODE_NAME}`, groups: ['system:nodes'] }, { serverNames: ['IP:127.0.0.1', `DNS:${NODE_NAME}`, 'DNS:localhost'] });
      kubelet = await startKubelet({
        server: controlPlane.url,
        credentials: readKeyPair(nodeCertificate),
        caCertificate,
        nodeName: NODE_NAME,
        dir: join(options.dir, 'kubelet'),
        ...(options.backoffScale === undefined ? {} : { backoffScale: options.backoffScale }),
        ...(options.volumeSyncSeconds === undefined ? {} : { volumeSyncSeconds: options.volumeSyncSeconds }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
      stops.push(() => kubelet!.stop());
    }
    let s3: SandboxS3 | undefined;
    if (options.s3 !== false && kubelet !== undefined) {
      s3 = await startMinioInCluster(api, { dataDir: join(options.dir, 'minio'), buckets: options.buckets ?? ['checkpoints'], ...(buildLog ? { buildLog } : {}) });
    }
    let kafka: ClusterKafka | undefined;
    if (options.kafka === true && kubelet !== undefined) {
      kafka = await startKafkaInCluster(api, { dataDir: join(options.dir, 'kafka'), ...(buildLog ? { buildLog } : {}) });
    }
    return {
      apiServerUrl: controlPlane.url,
      kubeconfigPath: controlPlane.kubeconfigPath,
      caCertPath: pki.caCertPath,
      admin: pki.admin,
      auditLogPath: controlPlane.auditLogPath,
      api,
      ...(kubelet === undefined ? {} : { kubelet }),
      ...(s3 === undefined ? {} : { s3 }),
      ...(kafka === undefined ? {} : { kafka }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
