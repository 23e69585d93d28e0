import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApiClient, isApiError } from '../../../sandbox/kube-api/api-client.ts';
import { killPodRequest } from '../../../sandbox/kubelet/kill-pod-request.ts';
import type { Pod } from '../../../sandbox/kube-api/kube-types.ts';
import type { SandboxS3 } from '../../../sandbox/sandbox.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { runCommand, type CommandResult } from '../../support/command.ts';
import { waitFor } from '../../support/processes.ts';

export const root = resolve(import.meta.dirname, '../../..');

/** What `npm run sandbox -- up` wrote to `<dir>/state.json`. */
interface SandboxState {
  apiServerUrl: string;
  kubeconfigPath: string;
  kubeletUrl: string;
  caCertPath: string;
  admin: { certPath: string; keyPath: string };
  auditLogPath: string;
  s3: SandboxS3;
}

/** One audit event of the API server's log (level Metadata). */
export interface AuditEvent {
  verb: string;
  /** `extra['authentication.kubernetes.io/credential-id']` is `JTI=<jti>` of a service-account token: one token, one client. */
  user: { username: string; groups?: string[]; extra?: Record<string, string[]> };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  stage: string;
  requestURI: string;
  /** RFC 3339 with microseconds, UTC. */
  requestReceivedTimestamp: string;
}

/** The e2e suite's shared cluster, seen from one test file that owns `namespace`. */
export interface E2eCluster {
  namespace: string;
  dir: string;
  apiServerUrl: string;
  kubeconfigPath: string;
  /** The sandbox kubelet's HTTPS endpoint (`https://127.0.0.1:<port>`). */
  kubeletUrl: string;
  /** PEM file of the cluster CA. */
  caCertPath: string;
  /** The control plane's PKI directory (CA key included), to make certificates for extra nodes or clients. */
  pkiDir: string;
  s3: SandboxS3;
  kc: KubeConfig;
  core: CoreV1Api;
  /** An admin client of the API server (the kubelet's REST client), for plain requests. */
  api: ApiClient;
  kubectl(args: string[], stdin?: string): Promise<CommandResult>;
  /** kubectl that must succeed; returns stdout. */
  kubectlOk(args: string[], stdin?: string): Promise<string>;
  helm(args: string[]): Promise<CommandResult>;
  pod(name: string, namespace?: string): Promise<Pod | undefined>;
  /** SIGKILLs a pod's processes through the kubelet; the number killed. */
  killPod(name: string, namespace?: string): Promise<number>;
  /** Audit events so far (requests made by service accounts). */
  auditEvents(): AuditEvent[];
  /** Deletes the namespace (and with it everything the file made). */
  release(): Promise<void>;
}

/**
 * Joins the sandbox the e2e global setup started and makes the namespace `name` for this file.
 * Call in `beforeAll`; call `release()` in `afterAll`.
 */
export async function useCluster(name: string): Promise<E2eCluster> {
  const dir = process.env.SLUICE_E2E_SANDBOX;
  if (dir === undefined) throw new Error('SLUICE_E2E_SANDBOX is not set: e2e tests run under the jest project "e2e", whose global setup starts the sandbox');
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as SandboxState;
  const tools = await ensureKubeTools();
  const ca = readFileSync(state.caCertPath, 'utf8');
  const admin = { cert: readFileSync(state.admin.certPath, 'utf8'), key: readFileSync(state.admin.keyPath, 'utf8') };
  const api = new ApiClient({ server: state.apiServerUrl, credentials: admin, ca });
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: state.kubeconfigPath, KUBECACHEDIR: join(dir, 'kube-cache', name) };
  const kubectl = (args: string[], stdin?: string) => runCommand(tools.kubectl, ['--namespace', name, ...args], env, stdin);
  const kubectlOk = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  try {
    await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  } catch (err) {
    if (!isApiError(err, 409)) throw err;
  }
  // ServiceAccount admission refuses pods until the controller manager has made the namespace's `default` ServiceAccount
  await waitFor(`ServiceAccount ${name}/default`, () => api.get(`/api/v1/namespaces/${name}/serviceaccounts/default`));
  return {
    namespace: name,
    dir,
    apiServerUrl: state.apiServerUrl,
    kubeconfigPath: state.kubeconfigPath,
    kubeletUrl: state.kubeletUrl,
    caCertPath: state.caCertPath,
    pkiDir: join(dir, 'controlplane', 'pki'),
    s3: state.s3,
    kc,
    core,
    api,
    kubectl,
    kubectlOk,
    helm: (args) => runCommand(tools.helm, args, { ...env, HELM_CACHE_HOME: join(dir, 'helm', 'cache'), HELM_CONFIG_HOME: join(dir, 'helm', 'config'), HELM_DATA_HOME: join(dir, 'helm', 'data') }, undefined, 120_000),
    async pod(podName, namespace = name) {
      try {
        return await api.get<Pod>(`/api/v1/namespaces/${namespace}/pods/${podName}`);
      } catch (err) {
        if (isApiError(err, 404)) return undefined;
        throw err;
      }
    },
    async killPod(podName, namespace = name) {
      const res = await killPodRequest({ kubeletUrl: state.kubeletUrl, ca, ...admin }, namespace, podName);
      const body = res.body as { killed?: number; error?: string };
      if (res.status !== 200) throw new Error(`kill-pod ${namespace}/${podName}: ${body.error}`);
      return body.killed ?? 0;
    },
    auditEvents() {
      return readFileSync(state.auditLogPath, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as AuditEvent);
    },
    async release() {
      try {
        await api.request('DELETE', `/api/v1/namespaces/${name}`);
      } catch (err) {
        if (!isApiError(err, 404)) throw err;
      } finally {
        api.close();
      }
    },
  };
}
