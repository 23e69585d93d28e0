// `npm start`: the whole system on this machine, driven as a user drives it. The sandbox (the real
// control plane, the process kubelet, MinIO as a pod) is started from this process; the operator is
// installed with helm, MinIO's keys given to the job as a Secret and the example job applied with
// kubectl; then the job's phase, pods, checkpoints and output are shown until Ctrl-C. With
// `--kubeconfig FILE` (or KUBECONFIG) an existing cluster is used instead of a sandbox.
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
  /** An existing cluster's kubeconfig: no sandbox is started. */
  kubeconfig?: string;
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
  .option('--kubeconfig <file>', 'use the existing cluster of this kubeconfig (default $KUBECONFIG) instead of starting a sandbox; it needs MinIO at minio.minio:9000 and the Secret minio-creds')
  .parse(process.argv)
  .opts<{ dir: string; interval: number; untilCheckpoint?: boolean; kubeconfig?: string }>();
const existingCluster = options.kubeconfig ?? process.env.KUBECONFIG;
const opts: DemoOptions = {
  dir: resolve(PROJECT_ROOT, options.dir),
  interval: options.interval,
  untilCheckpoint: options.untilCheckpoint === true,
  ...(existingCluster ? { kubeconfig: resolve(existingCluster) } : {}),
};

let sandbox: Sandbox | undefined;
let kubeconfigPath: string | undefined;
let tools: KubeTools | undefined;
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
      // on an existing cluster, remove what the demo made there; a sandbox goes as a whole
      if (sandbox === undefined && kubeconfigPath !== undefined && tools !== undefined) {
        await tool(tools, 'kubectl', ['delete', '-f', join(PROJECT_ROOT, 'examples/wordcount.yaml'), '--ignore-not-found']).catch(() => '');
        await tool(tools, 'helm', ['uninstall', 'sluice', '-n', 'sluice-system']).catch(() => '');
      }
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

/** SIGKILLs the pod and control-plane processes the sandbox recorded and that still run (a hung stop, or a killed earlier run). */
function killPodProcesses(): void {
  for (const processes of [join(opts.dir, 'kubelet', 'processes'), join(opts.dir, 'processes')]) {
    if (existsSync(processes)) new ProcessRegistry(processes).killLeftovers();
  }
}

function tool(tools: KubeTools, name: keyof KubeTools, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      tools[name],
      ['--kubeconfig', kubeconfigPath!, ...args],
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
  if (stopping === undefined) console.log(lines.join('\n'));
  return status;
}

async function main(): Promise<void> {
  // a fresh world each time; pod processes a killed earlier run left behind are ended first
  killPodProcesses();
  for (const part of ['controlplane', 'kubelet', 'minio', 'processes']) rmSync(join(opts.dir, part), { recursive: true, force: true });
  mkdirSync(opts.dir, { recursive: true });
  tools = await ensureKubeTools();
  if (opts.kubeconfig !== undefined) {
    kubeconfigPath = opts.kubeconfig;
    console.log(`using the existing cluster of ${kubeconfigPath} (no sandbox)`);
  } else {
    const started = Date.now();
    console.log(`starting the sandbox in ${opts.dir} (the first start builds Kubernetes, etcd and MinIO from source: 15-40 minutes on 2 cores) ...`);
    sandbox = await startSandbox({ dir: opts.dir, logger: pino({ level: 'info' }, pino.destination(join(opts.dir, 'sandbox.log'))), buildLog: (line) => console.log(line) });
    kubeconfigPath = sandbox.kubeconfigPath;
    console.log(`sandbox running after ${Math.round((Date.now() - started) / 1000)} s: API server ${sandbox.apiServerUrl}, MinIO ${sandbox.s3?.endpoint} (in pods ${sandbox.s3?.clusterEndpoint})`);
    console.log(`use kubectl by hand meanwhile:\n  export KUBECONFIG=${sandbox.kubeconfigPath}`);
    const s3 = sandbox.s3!;
    // as the README tells a user to: the job's S3 keys only ever from a Secret
    console.log((await tool(tools, 'kubectl', ['create', 'secret', 'generic', 'minio-creds', `--from-literal=AWS_ACCESS_KEY_ID=${s3.accessKeyId}`, `--from-literal=AWS_SECRET_ACCESS_KEY=${s3.secretAccessKey}`])).trimEnd());
  }
  await tool(tools, 'helm', ['install', 'sluice', join(PROJECT_ROOT, 'charts/sluice-operator'), '-n', 'sluice-system', '--create-namespace', '--set', 'replicas=1']);
  console.log('helm: release sluice installed in namespace sluice-system');
  console.log((await tool(tools, 'kubectl', ['apply', '-f', join(PROJECT_ROOT, 'examples/wordcount.yaml')])).trimEnd());
  for (;;) {
    // a view that fails (e.g. a pod just being replaced) is reported, and the next one tried
    const status = await show(tools!).catch((err: Error): JobStatus => {
      // a view cut off by Ctrl-C says nothing: the teardown under way reports itself
      if (stopping === undefined) console.log(err.message);
      return {};
    });
    if (stopping !== undefined) return;
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
