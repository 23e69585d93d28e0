import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { resolutionTable, writeResolutionTable } from '../dns/resolution-table.ts';
import { ApiClient, isApiError } from '../kube-api/api-client.ts';
import { startApiServerProxy } from './api-server-proxy.ts';
import type { ObjectSource } from './container-env.ts';
import { apiEventRecorder } from './event-recorder.ts';
import { startInformer, type Informer } from './informer.ts';
import { startKubeletServer } from './kubelet-server.ts';
import type { ConfigMap, Pod, Secret, Service } from '../kube-api/kube-types.ts';
import { checkMountNamespaceSupport } from './mount-namespace.ts';
import { MountpointRegistry } from './mountpoint-registry.ts';
import { nodeCapacity, registerNode, type NodeIdentity } from './node-registration.ts';
import { PodIpPool } from './pod-ip-pool.ts';
import { PodWorker } from './pod-worker.ts';
import { ProcessRegistry } from './process-registry.ts';
import { backoffPolicy } from './restart-backoff.ts';
import { tokenRequestSource } from './token-manager.ts';

export interface KubeletOptions {
  /** API server URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  /**
   * The node's certificate (`CN=system:node:<nodeName>`, `O=system:nodes`, signed by the cluster CA,
   * valid for serving on 127.0.0.1): the kubelet's client identity and its serving certificate.
   */
  credentials: { cert: string; key: string };
  /** PEM CA of the cluster: verifies the API server and the kubelet's own callers. */
  caCertificate: string;
  /** State directory: pod volumes and logs, the DNS table, process records. */
  dir: string;
  nodeName?: string;
  /** Working directory of every container process; default the current directory (the project checkout). */
  cwd?: string;
  /** Multiplies restart back-off durations (10 s … 5 min); default 1, as Kubernetes. */
  backoffScale?: number;
  clusterDomain?: string;
  /** Period of the running pods' volume sync (ConfigMap/Secret/downward API changes); default 10 s. */
  volumeSyncSeconds?: number;
  /** Taints the Node registers with (`--register-with-taints`), e.g. to keep the scheduler's pods off a test node. */
  registerWithTaints?: NodeIdentity['taints'];
  logger?: Logger;
}

export interface Kubelet {
  nodeName: string;
  /** The kubelet's HTTP endpoint (`/containerLogs/...`, `/healthz`). */
  url: string;
  port: number;
  /** Where `kubernetes.default.svc` resolves for pods: a TCP proxy to the API server on port 443. */
  apiServerAddress: string;
  /**
   * A loopback address from this node's pod range for a node-level server that pods should reach
   * by a Service name (e.g. the sandbox's S3 server); pods never get it.
   */
  allocateAddress(): string;
  /** Fault injection: SIGKILLs every process of the pod; undefined when the pod is not on this node. */
  killPod(namespace: string, name: string): number | undefined;
  /** Kills every process the kubelet started and stops watching; pods stay in the API. */
  stop(): Promise<void>;
}

const DNS_PRELOAD = fileURLToPath(new URL('../dns/preload.cjs', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOST_IP = '127.0.0.1';
/** The `kubernetes` Service port, so `https://kubernetes.default.svc` reaches the API server. */
const API_SERVICE_PORT = 443;

/**
 * The sandbox's process kubelet: a client of the API server that registers a Node, runs the pods
 * bound to it as local processes, and serves their logs. See `pod-worker.ts` for one pod's life.
 */
export async function startKubelet(options: KubeletOptions): Promise<Kubelet> {
  checkMountNamespaceSupport();
  const nodeName = options.nodeName ?? 'sandbox-node';
  const logger = options.logger ?? pino({ level: 'warn' });
  const clusterDomain = options.clusterDomain ?? 'cluster.local';
  const api = new ApiClient({ server: options.server, credentials: options.credentials, ca: options.caCertificate });
  const podsDir = join(options.dir, 'pods');
  const dnsTablePath = join(options.dir, 'dns-table.json');
  mkdirSync(podsDir, { recursive: true });

  const ipPool = PodIpPool.claim();
  const cleanups: (() => Promise<void> | void)[] = [() => ipPool.close(), () => api.close()];
  let stopped: Promise<void> | undefined;
  const cleanup = () =>
    (stopped ??= (async () => {
      for (const fn of cleanups.reverse()) await fn();
    })());
  try {
    const workers = new Map<string, PodWorker>();
    const findWorker = (ns: string, name: string) => [...workers.values()].find((w) => w.namespace === ns && w.name === name);
    const { server: http, port } = await startKubeletServer(HOST_IP, {
      logFile: (ns, pod, container, previous) => findWorker(ns, pod)?.logFile(container, previous) ?? { error: `pods "${pod}" not found`, notFound: true },
      killPod: (ns, pod) => findWorker(ns, pod)?.killProcesses(),
    }, { ...options.credentials, ca: options.caCertificate });
    cleanups.push(() => http.close());
    const apiUrl = new URL(options.server);
    const apiEndpoint = { host: apiUrl.hostname, port: Number(apiUrl.port || (apiUrl.protocol === 'https:' ? 443 : 80)) };
    try {
      const proxy = await startApiServerProxy(ipPool.apiServerAddress, API_SERVICE_PORT, apiEndpoint);
      cleanups.push(() => proxy.close());
    } catch (err) {
      // pods still reach the API server through KUBERNETES_SERVICE_HOST/PORT
      logger.warn({ err }, `cannot listen on ${ipPool.apiServerAddress}:${API_SERVICE_PORT}; https://kubernetes.default.svc will not answer in pods`);
    }

    const { gitVersion } = await api.get<{ gitVersion: string }>('/version');
    const heartbeat = await registerNode(
      api,
      { nodeName, hostIP: HOST_IP, kubeletPort: port, version: gitVersion, ...(options.registerWithTaints === undefined ? {} : { taints: options.registerWithTaints }) },
      logger,
    );
    cleanups.push(() => heartbeat.stop());

    let services: Informer<Service> | undefined;
    let pods: Informer<Pod> | undefined;
    let dnsTimer: NodeJS.Timeout | undefined;
    let dnsStopped = false;
    const refreshDns = () => {
      if (dnsTimer !== undefined || dnsStopped) return;
      dnsTimer = setTimeout(() => {
        dnsTimer = undefined;
        try {
          writeDnsTable();
        } catch (err) {
          logger.warn({ err }, 'writing the DNS resolution table failed');
        }
      }, 0);
    };
    const writeDnsTable = () =>
      writeResolutionTable(
        dnsTablePath,
        resolutionTable({
          clusterDomain,
          services: services?.list() ?? [],
          pods: pods?.list() ?? [],
          apiServerAddress: ipPool.apiServerAddress,
          noEndpointsAddress: ipPool.noEndpointsAddress,
        }),
      );
    refreshDns();
    cleanups.push(() => {
      dnsStopped = true;
      clearTimeout(dnsTimer);
    });
    const onError = (err: unknown) => logger.warn({ err }, 'informer error (watches are retried)');
    services = startInformer<Service>({ client: api, path: '/api/v1/services', onEvent: refreshDns, onError });
    cleanups.push(() => services.stop());

    const processes = new ProcessRegistry(join(options.dir, 'processes'));
    const mountpoints = new MountpointRegistry();
    cleanups.push(() => mountpoints.releaseAll());
    const deps = {
      api,
      hostIP: HOST_IP,
      ipPool,
      mountpoints,
      processes,
      objects: apiObjectSource(api),
      tokens: tokenRequestSource(api),
      nodeCapacity: nodeCapacity(),
      cwd: options.cwd ?? PROJECT_ROOT,
      podsDir,
      backoff: backoffPolicy(options.backoffScale ?? 1),
      volumeSyncMs: (options.volumeSyncSeconds ?? 10) * 1000,
      baseEnv: (pod: Pod) => baseEnvironment(pod, apiEndpoint, dnsTablePath, clusterDomain),
      logger,
      events: apiEventRecorder(api, nodeName, logger),
      statusWritten: refreshDns,
    };

    const onPod = (type: 'add' | 'update' | 'delete', pod: Pod) => {
      const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
      const worker = workers.get(uid);
      refreshDns();
      if (type === 'delete') {
        if (worker !== undefined) {
          workers.delete(uid);
          void worker.removed();
        }
        return;
      }
      if (worker !== undefined) {
        worker.update(pod);
        return;
      }
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return;
      const created = new PodWorker(pod, deps);
      workers.set(uid, created);
      created.start();
      if (pod.metadata.deletionTimestamp !== undefined) created.update(pod);
    };
    pods = startInformer<Pod>({ client: api, path: '/api/v1/pods', fieldSelector: `spec.nodeName=${nodeName}`, onEvent: onPod, onError });
    cleanups.push(async () => {
      pods.stop();
      await Promise.all([...workers.values()].map((w) => w.stop()));
      workers.clear();
    });
    await Promise.all([pods.synced, services.synced]);

    return {
      nodeName,
      url: `https://${HOST_IP}:${port}`,
      port,
      apiServerAddress: ipPool.apiServerAddress,
      allocateAddress: () => ipPool.allocate(),
      killPod: (ns, name) => findWorker(ns, name)?.killProcesses(),
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * What every container's environment starts from: the "image" PATH, the API server, DNS.
 * KUBERNETES_SERVICE_HOST/PORT name the API server itself (its certificate is valid for
 * 127.0.0.1, not for a per-sandbox ClusterIP), so in-pod `loadFromCluster()` works unchanged.
 */
function baseEnvironment(pod: Pod, apiServer: { host: string; port: number }, dnsTablePath: string, clusterDomain: string): Record<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  return {
    PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root',
    HOSTNAME: pod.spec.hostname ?? pod.metadata.name,
    KUBERNETES_SERVICE_HOST: apiServer.host,
    KUBERNETES_SERVICE_PORT: String(apiServer.port),
    KUBERNETES_SERVICE_PORT_HTTPS: String(apiServer.port),
    KUBERNETES_PORT: `tcp://${apiServer.host}:${apiServer.port}`,
    NODE_OPTIONS: `--require ${DNS_PRELOAD}`,
    SANDBOX_DNS_TABLE: dnsTablePath,
    SANDBOX_DNS_SEARCH: `${ns}.svc.${clusterDomain} svc.${clusterDomain} ${clusterDomain}`,
    SANDBOX_CLUSTER_DOMAIN: clusterDomain,
  };
}

function apiObjectSource(api: ApiClient): ObjectSource {
  const get = async <T>(path: string): Promise<T | undefined> => {
    try {
      return await api.get<T>(path);
    } catch (err) {
      if (isApiError(err, 404)) return undefined;
      throw err;
    }
  };
  return {
    configMap: (ns, name) => get<ConfigMap>(`/api/v1/namespaces/${ns}/configmaps/${name}`),
    secret: (ns, name) => get<Secret>(`/api/v1/namespaces/${ns}/secrets/${name}`),
  };
}
