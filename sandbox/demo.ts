// `npm start`: the whole system on this machine, driven as a user drives it. The sandbox (API server,
// process kubelet, S3) runs in this process; the operator is installed with helm and the example job
// applied with kubectl; then the job's phase, pods, checkpoints and output are shown until Ctrl-C.
// Only helm, kubectl and the sandbox are used: never the runtime's or the operator's code.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { ProcessRegistry } from './kubelet/process-registry.ts';
import { startSandbox } from './sandbox.ts';
import type { Sandbox } from './sandbox.ts';
import { ensureKubeTools } from './tools/kube-tools.ts';
import type { KubeTools } from './tools/kube-tools.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const JOB = 'wordcount';
const OUTPUT_LINES = 5;
const TOOL_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;

interface DemoOptions {
  dir: string;
  interval: number;
  untilCheckpoint: boolean;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

const options = new Command('sluice-demo')
  .description('the sandbox, the operator installed with helm and examples/wordcount.yaml applied with kubectl, shown live until Ctrl-C')
  .option('--dir <dir>', 'state directory of the sandbox', '.sandbox/demo')
  .option('--interval <seconds>', 'seconds between two views of the job', positiveSeconds, 3)
  .option('--until-checkpoint', 'exit (and tear down) once the job is Running with a completed checkpoint')
  .parse(process.argv)
  .opts<{ dir: string; interval: number; untilCheckpoint?: boolean }>();
const opts: DemoOptions = { dir: resolve(PROJECT_ROOT, options.dir), interval: options.interval, untilCheckpoint: options.untilCheckpoint === true };

let sandbox: Sandbox | undefined;
let stopping: Promise<void> | undefined;

/** Tears everything down once; the sandbox's stop ends every pod process. */
function shutdown(exitCode: number): Promise<void> {
  stopping ??= (async () => {
    console.log('stopping the sandbox and every pod process ...');
    // a stop that hangs must not keep pod processes alive: SIGKILL what the kubelet recorded, and exit
    setTimeout(() => {
      console.error(`the sandbox did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing its pod processes`);
      killPodProcesses();
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    try {
      await sandbox?.stop();
      console.log('stopped');
    } catch (err) {
      console.error(`stopping failed: ${(err as Error).message}`);
      exitCode = 1;
    }
    process.exit(exitCode);
  })();
  return stopping;
}
// a second Ctrl-C while stopping changes nothing: the stop under way ends every process
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

/** SIGKILLs the pod processes the kubelet recorded and that still run (a hung stop, or a killed earlier run). */
function killPodProcesses(): void {
  const processes = join(opts.dir, 'kubelet', 'processes');
  if (existsSync(processes)) new ProcessRegistry(processes).killLeftovers();
}

function tool(tools: KubeTools, name: keyof KubeTools, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      tools[name],
      ['--kubeconfig', sandbox!.kubeconfigPath, ...args],
      { cwd: PROJECT_ROOT, timeout: TOOL_TIMEOUT_MS, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: opts.dir, KUBECACHEDIR: join(opts.dir, 'kube-cache') } },
      (error, stdout, stderr) => (error ? fail(new Error(`${name} ${args.join(' ')} failed: ${stderr.trim() || error.message}`)) : done(stdout)),
    );
  });
}

interface JobStatus {
  phase?: string;
  lastCheckpoint?: { id: number };
}

/** One view of the job: what `kubectl get sj` and `kubectl get pods` say, and the TaskManagers' newest output. */
async function show(tools: KubeTools): Promise<JobStatus> {
  const status = JSON.parse((await tool(tools, 'kubectl', ['get', 'sj', JOB, '-o', 'jsonpath={.status}'])) || '{}') as JobStatus;
  const lines = [`--- ${new Date().toISOString()} ---`, (await tool(tools, 'kubectl', ['get', 'sj', JOB])).trimEnd(), '', (await tool(tools, 'kubectl', ['get', 'pods', '-l', `sluice.dev/job=${JOB}`])).trimEnd()];
  const taskManagers = (await tool(tools, 'kubectl', ['get', 'pods', '-l', `sluice.dev/job=${JOB},sluice.dev/component=taskmanager`, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean);
  for (const pod of taskManagers) {
    const output = await tool(tools, 'kubectl', ['logs', pod, `--tail=${OUTPUT_LINES * 4}`]).catch(() => '');
    // the sink's records are the lines that are not structured log entries
    const records = output.split('\n').filter((l) => l !== '' && !l.startsWith('{')).slice(-OUTPUT_LINES);
    lines.push('', `output of ${pod} (newest ${OUTPUT_LINES}):`, ...records.map((r) => `  ${r}`));
  }
  console.log(lines.join('\n'));
  return status;
}

async function main(): Promise<void> {
  // a fresh world each time; pod processes a killed earlier run left behind are ended first
  killPodProcesses();
  for (const part of ['apiserver', 'kubelet', 's3']) rmSync(join(opts.dir, part), { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  const tools = await ensureKubeTools();
  console.log(`starting the sandbox in ${opts.dir} ...`);
  sandbox = await startSandbox({ dir: opts.dir, logger: pino({ level: 'info' }, pino.destination(join(opts.dir, 'sandbox.log'))) });
  console.log(`sandbox running: API server ${sandbox.apiServerUrl}, S3 ${sandbox.s3?.endpoint} (in pods ${sandbox.s3?.clusterEndpoint})`);
  console.log(`use kubectl by hand meanwhile:\n  export KUBECONFIG=${sandbox.kubeconfigPath}`);
  await tool(tools, 'helm', ['install', 'sluice', join(PROJECT_ROOT, 'charts/sluice-operator'), '-n', 'sluice-system', '--create-namespace', '--set', 'replicas=1']);
  console.log('helm: release sluice installed in namespace sluice-system');
  console.log((await tool(tools, 'kubectl', ['apply', '-f', join(PROJECT_ROOT, 'examples/wordcount.yaml')])).trimEnd());
  for (;;) {
    // a view that fails (e.g. a pod just being replaced) is reported, and the next one tried
    const status = await show(tools).catch((err: Error): JobStatus => (console.log(err.message), {}));
    if (opts.untilCheckpoint && status.phase === 'Running' && status.lastCheckpoint !== undefined) {
      console.log(`${JOB} is Running; checkpoint ${status.lastCheckpoint.id} completed`);
      return shutdown(0);
    }
    await new Promise((r) => setTimeout(r, opts.interval * 1000));
  }
}

main().catch((err: Error) => {
  console.error(`npm start failed: ${err.message}`);
  void shutdown(1);
});
