import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../../sandbox/apiserver/server.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { runCommand, type CommandResult } from '../../support/command.ts';
import { waitFor } from '../../support/processes.ts';

export type { CommandResult };

/** One API server on an ephemeral port with a temp data dir, plus the real clients pointed at it. */
export interface ApiServerFixture {
  server: ApiServer;
  dir: string;
  kc: KubeConfig;
  kubectl(args: string[], stdin?: string): Promise<CommandResult>;
  /** kubectl that must exit 0; returns stdout. */
  kubectlOk(args: string[], stdin?: string): Promise<string>;
  helm(args: string[]): Promise<CommandResult>;
  stop(): Promise<void>;
}

export async function startApiServerFixture(options: Partial<ApiServerOptions> = {}): Promise<ApiServerFixture> {
  const tools = await ensureKubeTools();
  const dir = await mkdtemp(join(tmpdir(), 'apiserver-test-'));
  const server = await startApiServer({ dataDir: join(dir, 'apiserver'), ...options });
  const kc = new KubeConfig();
  kc.loadFromFile(server.kubeconfigPath);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    KUBECONFIG: server.kubeconfigPath,
    KUBECACHEDIR: join(dir, 'kube-cache'),
    HELM_CACHE_HOME: join(dir, 'helm/cache'),
    HELM_CONFIG_HOME: join(dir, 'helm/config'),
    HELM_DATA_HOME: join(dir, 'helm/data'),
  };
  const kubectl = (args: string[], stdin?: string): Promise<CommandResult> => runCommand(tools.kubectl, args, env, stdin, 30_000);
  return {
    server,
    dir,
    kc,
    kubectl,
    async kubectlOk(args, stdin) {
      const r = await kubectl(args, stdin);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    helm: (args) => runCommand(tools.helm, args, env, undefined, 30_000),
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails after the deadline. */
export const eventually = <T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> =>
  waitFor(what, check, timeoutMs, 25);

/** A raw authenticated request with the kubeconfig's CA and token, for asserting exact HTTP behaviour. */
export function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const cluster = kc.getCurrentCluster()!;
  const url = new URL(`${cluster.server}${path}`);
  const token = kc.getCurrentUser()!.token!;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        ca: Buffer.from(cluster.caData!, 'base64').toString(),
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(payload !== undefined ? { 'Content-Type': contentType } : {}), ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain text (logs) stays a string
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
