import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { BinaryBuildError, ensureBinaries, RECIPES } from './binaries/binaries.ts';
import { killPodRequest } from './kubelet/kill-pod-request.ts';
import { MountpointRegistry } from './kubelet/mountpoint-registry.ts';
import { ProcessRegistry } from './kubelet/process-registry.ts';
import type { SandboxS3 } from './sandbox.ts';

/** What `up` leaves in the state directory for `down`, `status` and `kill-pod`. */
interface SandboxState {
  pid: number;
  apiServerUrl: string;
  kubeconfigPath: string;
  kubeletUrl?: string;
  caCertPath: string;
  /** The API server's audit log: requests made by service accounts. */
  auditLogPath: string;
  /** The admin client certificate, which the kubelet accepts for `kill-pod`. */
  admin: { certPath: string; keyPath: string };
  s3?: SandboxS3;
}

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
// generous: on a loaded machine tsx compiles the whole sandbox before it listens
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

const statePath = (dir: string) => join(dir, 'state.json');

function readState(dir: string): SandboxState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(dir), 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

function printState(state: SandboxState): void {
  const lines = [`API server:  ${state.apiServerUrl}`, `kubeconfig:  ${state.kubeconfigPath}`];
  if (state.kubeletUrl) lines.push(`kubelet:     ${state.kubeletUrl}`);
  if (state.s3) {
    lines.push(`S3:          ${state.s3.endpoint} (access key ${state.s3.accessKeyId}, secret ${state.s3.secretAccessKey}, buckets ${state.s3.buckets.join(',')})`);
    if (state.s3.clusterEndpoint) lines.push(`S3 in pods:  ${state.s3.clusterEndpoint}`);
  }
  lines.push('', `export KUBECONFIG=${state.kubeconfigPath}`);
  console.log(lines.join('\n'));
}

function scale(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

const program = new Command('sandbox').description('The local world on real parts: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, the process kubelet, MinIO');
program.option('--dir <dir>', 'state directory', '.sandbox');

program
  .command('up')
  .description('start the sandbox in the background (does nothing if it already runs)')
  .option('--no-kubelet', 'without the process kubelet')
  .option('--no-s3', 'without MinIO')
  .option('--backoff-scale <factor>', 'scale container restart back-off', scale)
  .option('--volume-sync-seconds <seconds>', "period of the kubelet's ConfigMap/Secret volume sync (default 10)", scale)
  .action(async (opts: { kubelet: boolean; s3: boolean; backoffScale?: number; volumeSyncSeconds?: number }) => {
    const dir = resolve(program.opts<{ dir: string }>().dir);
    const existing = readState(dir);
    if (existing !== undefined && alive(existing.pid)) {
      console.log(`sandbox already running (pid ${existing.pid})`);
      printState(existing);
      return;
    }
    rmSync(statePath(dir), { force: true });
    mkdirSync(dir, { recursive: true });
    const log = openSync(join(dir, 'sandbox.log'), 'a');
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--dir', dir, 'serve'];
    if (!opts.kubelet) args.push('--no-kubelet');
    if (!opts.s3) args.push('--no-s3');
    if (opts.backoffScale !== undefined) args.push('--backoff-scale', String(opts.backoffScale));
    if (opts.volumeSyncSeconds !== undefined) args.push('--volume-sync-seconds', String(opts.volumeSyncSeconds));
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', log, log] });
    let exited = false;
    child.once('exit', () => (exited = true));
    const started = await waitFor(() => exited || readState(dir)?.pid === child.pid, START_TIMEOUT_MS);
    const state = readState(dir);
    if (!started || exited || state === undefined) {
      if (!exited) child.kill('SIGKILL');
      const logText = readFileSync(join(dir, 'sandbox.log'), 'utf8').split('\n').slice(-20).join('\n');
      console.error(`sandbox did not start${exited ? ' (process exited)' : ` within ${START_TIMEOUT_MS / 1000}s`}; last log lines:\n${logText}`);
      process.exitCode = 1;
      return;
    }
    child.unref();
    console.log(`sandbox started (pid ${state.pid}, state in ${dir})`);
    printState(state);
  });

program
  .command('serve')
  .description('run the sandbox in the foreground (what `up` starts)')
  .option('--no-kubelet', 'without the process kubelet')
  .option('--no-s3', 'without MinIO')
  .option('--backoff-scale <factor>', 'scale container restart back-off', scale)
  .option('--volume-sync-seconds <seconds>', "period of the kubelet's ConfigMap/Secret volume sync (default 10)", scale)
  .action(async (opts: { kubelet: boolean; s3: boolean; backoffScale?: number; volumeSyncSeconds?: number }) => {
    const dir = resolve(program.opts<{ dir: string }>().dir);
    // loaded here so that status/down/kill-pod start fast
    const { startSandbox } = await import('./sandbox.ts');
    const sandbox = await startSandbox({
      dir,
      kubelet: opts.kubelet,
      s3: opts.s3,
      logger: pino({ level: 'info' }),
      ...(opts.backoffScale === undefined ? {} : { backoffScale: opts.backoffScale }),
      ...(opts.volumeSyncSeconds === undefined ? {} : { volumeSyncSeconds: opts.volumeSyncSeconds }),
    });
    const state: SandboxState = {
      pid: process.pid,
      apiServerUrl: sandbox.apiServerUrl,
      kubeconfigPath: sandbox.kubeconfigPath,
      ...(sandbox.kubelet ? { kubeletUrl: sandbox.kubelet.url } : {}),
      caCertPath: sandbox.caCertPath,
      auditLogPath: sandbox.auditLogPath,
      admin: sandbox.admin,
      ...(sandbox.s3 ? { s3: sandbox.s3 } : {}),
    };
    writeFileSync(`${statePath(dir)}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${statePath(dir)}.tmp`, statePath(dir));
    let stopping = false;
    const shutdown = () => {
      if (stopping) return;
      stopping = true;
      void sandbox.stop().finally(() => {
        rmSync(statePath(dir), { force: true });
        process.exit(0);
      });
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });

program
  .command('down')
  .description('stop the sandbox and every pod process')
  .action(async () => {
    const dir = resolve(program.opts<{ dir: string }>().dir);
    const state = readState(dir);
    if (state !== undefined && alive(state.pid)) {
      process.kill(state.pid, 'SIGTERM');
      if (!(await waitFor(() => !alive(state.pid), STOP_TIMEOUT_MS))) {
        process.kill(state.pid, 'SIGKILL');
        await waitFor(() => !alive(state.pid), 5_000);
      }
    }
    let leftovers = 0;
    for (const processes of [join(dir, 'kubelet', 'processes'), join(dir, 'processes')]) {
      if (existsSync(processes)) leftovers += new ProcessRegistry(processes).killLeftovers();
    }
    // a kubelet that died left its mountpoints registered; with its holders gone they are removed
    new MountpointRegistry().releaseAll();
    rmSync(statePath(dir), { force: true });
    console.log(state === undefined ? 'sandbox was not running' : `sandbox stopped${leftovers > 0 ? ` (killed ${leftovers} leftover processes)` : ''}`);
  });

program
  .command('status')
  .description('show whether the sandbox runs and where')
  .action(() => {
    const dir = resolve(program.opts<{ dir: string }>().dir);
    const state = readState(dir);
    if (state === undefined || !alive(state.pid)) {
      console.log('sandbox is not running');
      process.exitCode = 3;
      return;
    }
    console.log(`sandbox running (pid ${state.pid})`);
    printState(state);
  });

program
  .command('kill-pod <pod>')
  .description('SIGKILL every process of a pod (<namespace>/<name>, or <name> in default); the kubelet restarts them per restartPolicy')
  .action(async (ref: string) => {
    const dir = resolve(program.opts<{ dir: string }>().dir);
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : ['default', ref];
    const state = readState(dir);
    if (state?.kubeletUrl === undefined || !alive(state.pid)) {
      console.error('sandbox kill-pod: no running sandbox with a kubelet (run `npm run sandbox -- up`)');
      process.exitCode = 1;
      return;
    }
    const caller = { kubeletUrl: state.kubeletUrl, ca: readFileSync(state.caCertPath, 'utf8'), cert: readFileSync(state.admin.certPath, 'utf8'), key: readFileSync(state.admin.keyPath, 'utf8') };
    const res = await killPodRequest(caller, ns!, name!);
    const body = res.body as { killed?: number; error?: string };
    if (res.status !== 200) {
      console.error(`sandbox kill-pod: ${body.error}`);
      process.exitCode = 1;
      return;
    }
    console.log(`killed ${body.killed} process(es) of pod ${ns}/${name}`);
  });

program
  .command('build [names...]')
  .description(`build the sandbox's programs from pinned sources into .cache/bin (default: all of ${Object.keys(RECIPES).join(', ')}); skips what is built`)
  .action(async (names: string[]) => {
    try {
      const paths = await ensureBinaries(names.length > 0 ? names : Object.keys(RECIPES));
      for (const [name, path] of Object.entries(paths)) console.log(`${name}: ${path}`);
    } catch (err) {
      if (!(err instanceof BinaryBuildError)) throw err;
      console.error(`sandbox build: ${err.message}`);
      process.exitCode = 1;
    }
  });

await program.parseAsync(process.argv);
