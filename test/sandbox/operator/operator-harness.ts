// A kubelet-less sandbox API server with the StreamJob CRD, real kubectl, and operator processes
// started as the chart starts them (node --import tsx operator/main.ts), each killed on stop.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer } from '../../../sandbox/apiserver/server.ts';
import type { ApiServer } from '../../../sandbox/apiserver/server.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { writeKubeconfig } from '../../../sandbox/tools/kubeconfig.ts';
import { runCommand, type CommandResult } from '../../support/command.ts';
import { freePort } from '../../support/free-port.ts';
import { waitFor } from '../../support/processes.ts';

export const root = resolve(import.meta.dirname, '../../..');

export type { CommandResult };

export interface OperatorProcess {
  identity: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

/** The ServiceAccount the operator processes authenticate as, so the request log tells their requests apart. */
export const OPERATOR_USER = 'system:serviceaccount:default:sluice-operator';

export interface OperatorSandbox {
  api: ApiServer;
  dir: string;
  kc: KubeConfig;
  kubectl(args: string[], stdin?: string): Promise<CommandResult>;
  kubectlOk(args: string[], stdin?: string): Promise<string>;
  startOperator(identity: string, env?: Record<string, string>): Promise<OperatorProcess>;
  stop(): Promise<void>;
}

export async function startOperatorSandbox(name: string): Promise<OperatorSandbox> {
  const tools = await ensureKubeTools();
  // Outside /tmp: the sandbox cannot mount volumes at /tmp when its own directory is under it.
  const dir = join(root, '.sandbox', `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const api = await startApiServer({ dataDir: join(dir, 'apiserver') });
  const operators: OperatorProcess[] = [];
  const operatorKubeconfig = join(dir, 'operator-kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    KUBECONFIG: api.kubeconfigPath,
    KUBECACHEDIR: join(dir, 'kube-cache'),
  };
  const kubectl = (args: string[], stdin?: string) => runCommand(tools.kubectl, args, env, stdin);
  const kubectlOk = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const sandbox: OperatorSandbox = {
    api,
    dir,
    kc,
    kubectl,
    kubectlOk,
    async startOperator(identity, extraEnv = {}) {
      const port = await freePort();
      const logFile = join(dir, `${identity}.log`);
      const child = spawn(process.execPath, ['--import', 'tsx', 'operator/main.ts'], {
        cwd: root,
        env: {
          ...env,
          KUBECONFIG: operatorKubeconfig,
          POD_NAME: identity,
          POD_NAMESPACE: 'default',
          POD_IP: '127.0.0.1',
          SLUICE_HTTP_PORT: String(port),
          SLUICE_LOG_LEVEL: 'debug',
          SLUICE_LEASE_DURATION: '4s',
          SLUICE_RENEW_DEADLINE: '3s',
          SLUICE_RETRY_PERIOD: '500ms',
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
        port,
        child,
        logFile,
        exited,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode !== null || child.signalCode !== null) return;
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
      await Promise.all(operators.map((o) => o.stop()));
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await kubectlOk(['apply', '--server-side', '-f', join(root, 'crds/streamjobs.sluice.dev.yaml')]);
    await kubectlOk(['wait', '--for=condition=Established', 'crd/streamjobs.sluice.dev', '--timeout=20s']);
    await kubectlOk(['create', 'serviceaccount', 'sluice-operator']);
    await writeKubeconfig(operatorKubeconfig, { server: api.url, token: api.tokenFor('default', 'sluice-operator'), caCert: readFileSync(api.caCertPath, 'utf8') });
  } catch (err) {
    await sandbox.stop();
    throw err;
  }
  return sandbox;
}


/** Polls `check` until it returns a value other than undefined; fails with the last error after the deadline. */
export const eventually = <T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> =>
  waitFor(what, check, timeoutMs, 100);
