import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { CONTROL_PLANE, ensureBinaries } from '../binaries/binaries.ts';
import { ProcessRegistry } from '../kubelet/process-registry.ts';
import { writeKubeconfig } from '../tools/kubeconfig.ts';
import { startComponent, type ComponentProcess } from './component-process.ts';
import { ensurePki, readKeyPair, type KeyPair, type Pki } from './pki.ts';

export interface ControlPlaneOptions {
  /** State directory: etcd data, PKI, kubeconfigs, component logs, audit log. */
  dir: string;
  /** Where control-plane processes are recorded for `sandbox down` (default `<dir>/processes`). */
  processes?: ProcessRegistry;
  logger?: Logger;
  /** Progress lines of builds from source (default: stderr). */
  buildLog?: (line: string) => void;
}

/** A running Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager, kube-scheduler. */
export interface ControlPlane {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  port: number;
  pki: Pki;
  /** Admin (`system:masters`) kubeconfig, client-certificate based. */
  kubeconfigPath: string;
  /** Services get ClusterIPs from here: loopback, so a ClusterIP can never leave the machine (nothing routes them). */
  serviceCidr: string;
  /** JSON lines of the API server's audit log: every request made by a service account (level Metadata). */
  auditLogPath: string;
  /** Stops scheduler, controller manager, API server and etcd, in that order. */
  stop(): Promise<void>;
}

export const SERVICE_CIDR = '127.200.0.0/16';
const READY_TIMEOUT_MS = 120_000;

/** Audit only what service accounts do: the operator's requests, for the test that compares them with the chart's RBAC. */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
`;

/**
 * Starts the control plane from the binaries in `.cache/bin` (building them first if needed),
 * everything listening on 127.0.0.1 only, and resolves once the API server is ready and the
 * controller manager has published `kube-root-ca.crt` and the `default` ServiceAccount.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const dir = options.dir;
  mkdirSync(dir, { recursive: true });
  const binaries = await ensureBinaries(CONTROL_PLANE, options.buildLog ? { log: options.buildLog } : {});
  const registry = options.processes ?? new ProcessRegistry(join(dir, 'processes'));
  const pki = await ensurePki(join(dir, 'pki'));
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const components: ComponentProcess[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const component of [...components].reverse()) await component.stop();
  };
  try {
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedulerPort] = await freePorts(5);
    const etcd = startComponent(
      'etcd',
      binaries.etcd!,
      [
        '--name=sandbox',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=sandbox=http://127.0.0.1:${etcdPeer}`,
        // a disposable single-member store: skip fsync, as Kubernetes' own integration tests do
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      join(logs, 'etcd.log'),
      registry,
    );
    components.push(etcd);
    await waitReady(etcd, () => httpGetOk(`http://127.0.0.1:${etcdClient}/health`));

    const auditPolicyPath = join(dir, 'audit-policy.yaml');
    writeFileSync(auditPolicyPath, AUDIT_POLICY);
    const auditLogPath = join(logs, 'audit.log');
    const apiServer = startComponent(
      'kube-apiserver',
      binaries['kube-apiserver']!,
      [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${pki.apiServer.certPath}`,
        `--tls-private-key-file=${pki.apiServer.keyPath}`,
        `--client-ca-file=${pki.caCertPath}`,
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        '--allow-privileged=true',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
        `--service-account-signing-key-file=${pki.serviceAccountKeyPath}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--kubelet-client-certificate=${pki.apiServerKubeletClient.certPath}`,
        `--kubelet-client-key=${pki.apiServerKubeletClient.keyPath}`,
        `--kubelet-certificate-authority=${pki.caCertPath}`,
        '--kubelet-preferred-address-types=InternalIP',
        // Endpoints may not hold loopback addresses, and 127.0.0.1 is all the API server has
        '--endpoint-reconciler-type=none',
        `--audit-policy-file=${auditPolicyPath}`,
        `--audit-log-path=${auditLogPath}`,
        '--audit-log-maxsize=100',
        '--profiling=false',
      ],
      join(logs, 'kube-apiserver.log'),
      registry,
    );
    components.push(apiServer);
    const admin = readKeyPair(pki.admin);
    const ca = readFileSync(pki.caCertPath, 'utf8');
    const url = `https://127.0.0.1:${apiPort}`;
    await waitReady(apiServer, () => httpsGetOk(`${url}/readyz`, ca, admin));

    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server: url, caCert: ca, credentials: { clientCert: admin.cert, clientKey: admin.key }, user: 'kubernetes-admin' });
    const componentKubeconfig = async (name: string, pair: KeyPair) => {
      const path = join(dir, `${name}.kubeconfig`);
      const { cert, key } = readKeyPair(pair);
      await writeKubeconfig(path, { server: url, caCert: ca, credentials: { clientCert: cert, clientKey: key }, user: name });
      return path;
    };
    const servingFlags = async (name: string, pair: KeyPair, port: number) => {
      const kubeconfig = await componentKubeconfig(name, pair);
      return [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${join(dir, name)}`,
        '--leader-elect=false',
      ];
    };
    const controllerManager = startComponent(
      'kube-controller-manager',
      binaries['kube-controller-manager']!,
      [
        ...(await servingFlags('kube-controller-manager', pki.controllerManager, kcmPort!)),
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.serviceAccountKeyPath}`,
        `--root-ca-file=${pki.caCertPath}`,
        `--cluster-signing-cert-file=${pki.caCertPath}`,
        `--cluster-signing-key-file=${pki.caKeyPath}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // Endpoints and EndpointSlices may not hold loopback addresses, and every pod address here is
        // one: these controllers could only fail (a Warning event per change). The kubelet resolves
        // Service names from selectors and ready pods instead (sandbox/dns).
        '--controllers=*,-endpoints-controller,-endpointslice-controller,-endpointslice-mirroring-controller',
      ],
      join(logs, 'kube-controller-manager.log'),
      registry,
    );
    components.push(controllerManager);
    const scheduler = startComponent(
      'kube-scheduler',
      binaries['kube-scheduler']!,
      await servingFlags('kube-scheduler', pki.scheduler, schedulerPort!),
      join(logs, 'kube-scheduler.log'),
      registry,
    );
    components.push(scheduler);
    await waitReady(controllerManager, () => httpsGetOk(`https://127.0.0.1:${kcmPort}/healthz`, undefined, undefined));
    await waitReady(scheduler, () => httpsGetOk(`https://127.0.0.1:${schedulerPort}/healthz`, undefined, undefined));
    // what every pod's projected service-account volume needs before a pod can start
    await waitReady(controllerManager, () => httpsGetOk(`${url}/api/v1/namespaces/default/configmaps/kube-root-ca.crt`, ca, admin));
    await waitReady(controllerManager, () => httpsGetOk(`${url}/api/v1/namespaces/default/serviceaccounts/default`, ca, admin));
    for (const component of components) {
      void component.exited.then((how) => {
        if (!stopping) options.logger?.error(`${component.name} exited (${how}); last log lines:\n${component.logTail()}`);
      });
    }
    return { url, port: apiPort!, pki, kubeconfigPath, serviceCidr: SERVICE_CIDR, auditLogPath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls `ready` until it answers true; fails at once, with its log's last lines, if the component exits. */
async function waitReady(component: ComponentProcess, ready: () => Promise<boolean>): Promise<void> {
  let exited: string | undefined;
  void component.exited.then((how) => (exited = String(how)));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited !== undefined) throw new Error(`${component.name} exited (${exited}) while starting; last lines of ${component.logFile}:\n${component.logTail()}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${component.name} not ready within ${READY_TIMEOUT_MS / 1000} s; last lines of ${component.logFile}:\n${component.logTail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function httpGetOk(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpGet(url, { timeout: 2000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
  });
}

function httpsGetOk(url: string, ca: string | undefined, client: { cert: string; key: string } | undefined): Promise<boolean> {
  return new Promise((done) => {
    const req = httpsGet(url, { timeout: 2000, ...(ca === undefined ? { rejectUnauthorized: false } : { ca }), ...(client ?? {}) }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('error', () => done(false));
    req.on('timeout', () => req.destroy());
  });
}

/** `n` distinct loopback ports that were free a moment ago (for programs that must be told their port). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((ok, fail) => {
      const server = createServer();
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
