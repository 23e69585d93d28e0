import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startControllers } from '../controllers/controller-manager.ts';
import { writeKubeconfig } from '../tools/kubeconfig.ts';
import type { AuditRecord } from './audit-record.ts';
import { builtinResources } from './builtin-resources.ts';
import { buildHttpApi } from './http-api.ts';
import { ObjectStore } from './object-store.ts';
import { ResourceApi } from './resource-api.ts';
import { ResourceRegistry } from './resource-registry.ts';
import { createServingCertificate } from './serving-certificate.ts';
import { ADMIN_USER, TokenAuthority } from './token-authority.ts';

export type { AuditRecord } from './audit-record.ts';

export interface ApiServerOptions {
  host?: string;
  port?: number;
  dataDir: string;
  /** Extra bearer tokens: token → user name. */
  tokens?: Record<string, string>;
  /** How many changes watches can resume across before `410 Gone` (etcd compaction stand-in). */
  watchHistorySize?: number;
  /** Upper bound of a watch's duration in seconds (Kubernetes: 30–60 minutes). */
  watchTimeoutSeconds?: number;
  /** How often watches that allow bookmarks get one (Kubernetes: about a minute). */
  watchBookmarkIntervalMs?: number;
  /**
   * `RBAC` enforces the stored Roles/ClusterRoles and bindings (the admin is in system:masters);
   * `AlwaysAllow` (default) lets every authenticated user do anything, while still logging requests.
   */
  authorization?: 'RBAC' | 'AlwaysAllow';
}

export interface ApiServer {
  /** `https://<host>:<port>`. */
  url: string;
  kubeconfigPath: string;
  adminToken: string;
  /** PEM file of the CA for the server certificate: mount it as the pods' `ca.crt`. */
  caCertPath: string;
  /** Every resource request served, in order (RBAC vocabulary). */
  requestLog(): AuditRecord[];
  /** The bearer token of a ServiceAccount (what a TokenRequest returns), for mounting into pods. */
  tokenFor(namespace: string, serviceAccount: string): string;
  stop(): Promise<void>;
}

/**
 * Starts the Kubernetes API server emulation on loopback: in-memory store, REST API, discovery,
 * OpenAPI v3, and the control-plane controllers (namespace lifecycle, garbage collector,
 * scheduler, endpoints, deployments and replicasets, CRD cleanup). Writes `<dataDir>/kubeconfig`
 * holding the admin token.
 *
 * The server speaks https only (client-go sends bearer tokens only over TLS) with a self-signed
 * certificate valid for 127.0.0.1, localhost and kubernetes.default.svc[.cluster.local].
 * In-pod clients: the kubelet mounts `tokenFor(ns, sa)` (or the token of a TokenRequest,
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<sa>/token`) as `token`, the namespace as
 * `namespace`, the file at `caCertPath` as `ca.crt`, and sets KUBERNETES_SERVICE_HOST/PORT to
 * this server's host and port; client-node's `loadFromCluster()` then works unchanged.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  await mkdir(opts.dataDir, { recursive: true });
  const host = opts.host ?? '127.0.0.1';
  const tls = await createServingCertificate(opts.dataDir, host);
  const registry = new ResourceRegistry(builtinResources());
  const store = new ObjectStore(opts.watchHistorySize ?? 10_000);
  const api = new ResourceApi(registry, store);
  const tokens = new TokenAuthority(opts.tokens);
  const audit: AuditRecord[] = [];
  let address = '';
  const { app, closeWatches } = buildHttpApi({
    api,
    registry,
    tokens,
    audit,
    serverAddress: () => address,
    watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 1800,
    watchBookmarkIntervalMs: opts.watchBookmarkIntervalMs ?? 60_000,
    authorization: opts.authorization ?? 'AlwaysAllow',
    tls,
  });
  const unsubscribe = store.subscribe((e) => {
    if (e.type === 'DELETED' && e.storageKey === '/serviceaccounts') tokens.revoke(e.object.metadata.namespace!, e.object.metadata.name!);
  });
  const controllers = startControllers(api);
  await app.listen({ host, port: opts.port ?? 0 });
  const port = (app.server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  const url = `https://${address}`;
  bootstrap(api, host, port);
  const kubeconfigPath = join(opts.dataDir, 'kubeconfig');
  await writeKubeconfig(kubeconfigPath, { server: url, credentials: { token: tokens.adminToken }, caCert: tls.cert });
  return {
    url,
    kubeconfigPath,
    adminToken: tokens.adminToken,
    caCertPath: tls.certPath,
    requestLog: () => [...audit],
    tokenFor: (namespace, serviceAccount) => tokens.tokenFor(namespace, serviceAccount),
    stop: async () => {
      controllers.stop();
      unsubscribe();
      closeWatches();
      await app.close();
    },
  };
}

/** What a fresh cluster holds: the system namespaces and the `kubernetes` Service pointing at this server. */
function bootstrap(api: ResourceApi, host: string, port: number): void {
  const t = (plural: string) => api.registry.find('', 'v1', plural)!;
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    api.create(t('namespaces'), undefined, { metadata: { name } }, ADMIN_USER);
  api.create(
    t('services'),
    'default',
    {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
    },
    ADMIN_USER,
  );
  api.create(
    t('endpoints'),
    'default',
    { metadata: { name: 'kubernetes' }, subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port, protocol: 'TCP' }] }] },
    ADMIN_USER,
  );
}
