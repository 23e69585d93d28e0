// Operator processes outside the cluster, started as the chart starts them (node --import tsx
// operator/main.ts), against the e2e suite's real control plane. They authenticate as the chart's
// ServiceAccount with a token from the TokenRequest API, and the chart, installed with no replicas
// and watching only the file's namespace, gives that ServiceAccount exactly its rules: the real
// authorizer decides every request.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, useCluster, type E2eCluster } from '../support/cluster.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import { applyStreamJobCrd } from '../support/stream-job-crd.ts';
import { prepareCountingJobs } from '../support/stream-job-runs.ts';
import { writeKubeconfig } from '../../../sandbox/tools/kubeconfig.ts';
import { freePort } from '../../support/free-port.ts';
import { waitFor } from '../../support/processes.ts';

export { root };

export const chart = join(root, 'charts/sluice-operator');
/** `helm install sluice` names the ServiceAccount, the Roles and the Lease `sluice-operator...`. */
export const RELEASE = 'sluice';
export const SERVICE_ACCOUNT = 'sluice-operator';
export const LEASE = 'sluice-operator-leader';
/** The chart's Secret with the operator's key, which the chart mounts into the operator's pods. */
export const OPERATOR_KEY_SECRET = 'sluice-operator-operator-key';

export interface OperatorProcess {
  identity: string;
  /** Its token's id as the audit log records it (`user.extra['authentication.kubernetes.io/credential-id']`). */
  credentialId: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM (or `signal`), then SIGKILL after 5 s; resolves when the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

/** One rule of a Role or ClusterRole. */
export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface OperatorHarness {
  cluster: E2eCluster;
  namespace: string;
  /** Where the operators' logs are (kept with the sandbox's directory: SLUICE_KEEP_SANDBOX=1). */
  dir: string;
  /** The user name the operator's requests carry: `system:serviceaccount:<namespace>:sluice-operator`. */
  user: string;
  /** The rules the chart gave the ServiceAccount (every Role of the release, as installed). */
  rules: Rule[];
  startOperator(identity: string, env?: Record<string, string>): Promise<OperatorProcess>;
  stop(): Promise<void>;
}

/** The chart installed in `namespace` with no replicas, watching `namespace` (Roles there, nothing cluster-wide). */
export async function installChartWithoutReplicas(cluster: E2eCluster): Promise<void> {
  const ns = cluster.namespace;
  const r = await cluster.helm(['install', RELEASE, chart, '-n', ns, '--skip-crds', '--set', 'replicas=0', '--set', `watchNamespaces={${ns}}`]);
  if (r.code !== 0) throw new Error(`helm install failed (${r.code}): ${r.stderr}`);
}

/** The rules of every Role and ClusterRole of the release, read back from the API server. */
export async function releaseRules(cluster: E2eCluster, release = RELEASE): Promise<Rule[]> {
  const roles = JSON.parse(await cluster.kubectlOk(['get', 'roles', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json'])) as { items: { rules: Rule[] }[] };
  return roles.items.flatMap((r) => r.rules);
}

export async function startOperatorHarness(namespace: string): Promise<OperatorHarness> {
  const cluster = await useCluster(namespace);
  const dir = join(cluster.dir, 'operators', namespace);
  mkdirSync(dir, { recursive: true });
  const operators: OperatorProcess[] = [];
  let caCert = '';
  const operatorKeyPath = join(dir, 'operator-key');
  const harness: OperatorHarness = {
    cluster,
    namespace,
    dir,
    user: `system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`,
    rules: [],
    async startOperator(identity, extraEnv = {}) {
      const port = await freePort();
      // A token of its own, so that the audit log tells its requests from the other replicas'.
      const kubeconfigPath = join(dir, `${identity}.kubeconfig`);
      const token = (await cluster.kubectlOk(['create', 'token', SERVICE_ACCOUNT, '--duration=1h'])).trim();
      const jti = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
      await writeKubeconfig(kubeconfigPath, { server: cluster.apiServerUrl, credentials: { token }, caCert, user: SERVICE_ACCOUNT, namespace });
      const logFile = join(dir, `${identity}.log`);
      const child = spawn(process.execPath, ['--import', 'tsx', 'operator/main.ts'], {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          KUBECONFIG: kubeconfigPath,
          POD_NAME: identity,
          POD_NAMESPACE: namespace,
          POD_IP: '127.0.0.1',
          SLUICE_WATCH_NAMESPACES: namespace,
          SLUICE_LEASE_NAME: LEASE,
          SLUICE_HTTP_PORT: String(port),
          SLUICE_LOG_LEVEL: 'debug',
          SLUICE_LEASE_DURATION: '4s',
          SLUICE_RENEW_DEADLINE: '3s',
          SLUICE_RETRY_PERIOD: '500ms',
          SLUICE_OPERATOR_KEY_FILE: operatorKeyPath,
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const log = createWriteStream(logFile);
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      const op: OperatorProcess = {
        identity,
        credentialId: `JTI=${jti}`,
        port,
        child,
        logFile,
        exited,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGCONT');
          child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        },
      };
      operators.push(op);
      return op;
    },
    async stop() {
      // StreamJobs first, while an operator may still remove its finalizer; then whatever finalizer is
      // left, so that the namespace can go.
      await cluster.kubectl(['delete', 'sj', '--all', '--timeout=30s']);
      await Promise.all(operators.map((o) => o.stop()));
      await removeFinalizers(cluster);
      await cluster.release();
    },
  };
  try {
    await applyStreamJobCrd(cluster);
    await installChartWithoutReplicas(cluster);
    harness.rules = await releaseRules(cluster);
    // What the kubelet would mount into an operator pod, read here as the admin.
    const key = await cluster.kubectlOk(['get', 'secret', OPERATOR_KEY_SECRET, '-o', 'jsonpath={.data.operator-key}']);
    writeFileSync(operatorKeyPath, Buffer.from(key, 'base64'), { mode: 0o600 });
    caCert = readFileSync(cluster.caCertPath, 'utf8');
  } catch (err) {
    await harness.stop();
    throw err;
  }
  return harness;
}

/** Clears the finalizers of the StreamJobs left in the file's namespace (no operator runs any more). */
export async function removeFinalizers(cluster: E2eCluster): Promise<void> {
  const left = (await cluster.kubectl(['get', 'sj', '-o', 'name'])).stdout.trim();
  for (const name of left === '' ? [] : left.split('\n')) await cluster.kubectl(['patch', name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
}

/**
 * The end of a file that helm-installed a running operator in its namespace: its StreamJobs deleted
 * while the operator still removes their finalizers, then the release, then any finalizer left.
 */
export async function uninstallOperator(cluster: E2eCluster | undefined, release: string): Promise<void> {
  if (cluster === undefined) return;
  await cluster.kubectl(['delete', 'sj', '--all', '--timeout=60s']);
  await cluster.helm(['uninstall', release, '-n', cluster.namespace, '--wait', '--timeout=60s']);
  await removeFinalizers(cluster);
}

/** Polls `check` until it returns a value other than undefined; fails with the last error after the deadline. */
export const eventually = <T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> =>
  waitFor(what, check, timeoutMs, 100);

/** A file's operator harness for the exactly-once counting job: {@link prepareCountingJobs} done, `operator-0` running. */
export interface CountingJobHarness {
  harness: OperatorHarness;
  cluster: E2eCluster;
  /** The file's MinIO client. */
  s3: S3Client;
  operator: OperatorProcess;
  /** Destroys the S3 client, then {@link OperatorHarness.stop}. */
  stop(): Promise<void>;
}

export async function startCountingJobHarness(namespace: string, bucket: string): Promise<CountingJobHarness> {
  const harness = await startOperatorHarness(namespace);
  let s3: S3Client | undefined;
  const stop = async () => {
    s3?.destroy();
    await harness.stop();
  };
  try {
    s3 = await prepareCountingJobs(harness.cluster, bucket, RELEASE, chart);
    const operator = await harness.startOperator('operator-0');
    return { harness, cluster: harness.cluster, s3, operator, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
