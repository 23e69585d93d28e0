import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { OperatorResult } from '../api/job-execution-result.ts';
import type { CheckpointStorageConfig } from '../config/index.ts';
import type { JobDetails, JobExceptions } from '../rest/rest-types.ts';
import { logger } from '../core/logger.ts';
import { RUN_KEY_BYTES, encodeRunKey, restToken } from '../rest/run-key.ts';

export interface LocalClusterOptions {
  readonly job: string;
  readonly args: readonly string[];
  readonly name: string;
  /** The run (default: the job name); its checkpoints are `<storage>/<namespace>/<name>/<jobId>/checkpoints`. */
  readonly jobId?: string;
  /** A savepoint or checkpoint the run starts from when it has no checkpoint of its own. */
  readonly restoreFrom?: string;
  /** The cluster's checkpoint storage (`checkpointing.storage` of its configuration). */
  readonly checkpointStorage?: CheckpointStorageConfig;
  /** The JobManager's restart strategy; absent: that of the process configuration. */
  readonly restartStrategy?: { readonly type: 'none' };
  readonly taskManagers: number;
  readonly parallelism?: number;
  readonly maxParallelism?: number;
}

export interface LocalClusterResult {
  readonly details: JobDetails;
  readonly operators: readonly OperatorResult[];
}

/** What a JobManager started by a parent over IPC tells it: where it listens. */
export interface JobManagerStartedMessage {
  readonly type: 'jobmanager-started';
  readonly rpcPort: number;
  readonly restPort: number;
}

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../cli/bin.js');
/** The child's file descriptor of the pipe its run key arrives on: after stdin, stdout, stderr and IPC. */
const RUN_KEY_FD = 4;
const POLL_MS = 100;
const STOP_GRACE_MS = 5000;
/** A TaskManager that died is started again after this, doubling for each quick death (as Kubernetes' crash-loop back-off), up to the maximum. */
const RESTART_BACKOFF_MS = 500;
const MAX_RESTART_BACKOFF_MS = 10_000;
/** A TaskManager that ran this long before it died is restarted at once again. */
const RESTART_RESET_MS = 10_000;
const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/**
 * `sluice run job.ts --taskmanagers N`: a JobManager and N TaskManager child processes on loopback
 * (ephemeral ports, a temporary config), their logs streamed with a prefix per process and their
 * stdout (print sinks) passed through. Resolves when the job finished; rejects with the job's
 * failure. Children have an IPC channel to this process and exit when it goes, even if SIGKILLed.
 *
 * It heals like a cluster: a process that dies is started again (as Kubernetes restarts a pod's
 * container, with a back-off when it keeps dying), a TaskManager under the same id, the JobManager
 * on the same ports (TaskManagers register with it again); the JobManager restores the job from
 * its newest checkpoint, under its restart strategy after a TaskManager's loss. The run ends only
 * when the job does, or on Ctrl-C.
 *
 * The run key is made here, in memory, and handed to each child over an inherited pipe (file
 * descriptor 4, read once at start as `security.runKeyFile: /dev/fd/4`): it never appears in a
 * command line, an environment variable or a file.
 */
export async function runLocalCluster(options: LocalClusterOptions): Promise<LocalClusterResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  const jobId = options.jobId ?? options.name;
  const runKey = randomBytes(RUN_KEY_BYTES);
  const auth = { headers: { authorization: `Bearer ${restToken(runKey)}` } };
  const children: ChildProcess[] = [];
  let stopping = false;
  let jobManager: ChildProcess | undefined;
  const stopOnSignal = () => {
    stopping = true;
    void stopAll(children).then(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        job: {
          id: jobId,
          name: options.name,
          entry: resolve(options.job),
          args: options.args,
          ...(options.restoreFrom === undefined ? {} : { restoreFrom: options.restoreFrom }),
          ...(options.parallelism === undefined ? {} : { parallelism: options.parallelism }),
          ...(options.maxParallelism === undefined ? {} : { maxParallelism: options.maxParallelism }),
        },
        jobmanager: { address: '127.0.0.1', bindAddress: '127.0.0.1', rpcPort: 0, restPort: 0 },
        taskmanager: { bindAddress: '127.0.0.1', dataPort: 0 },
        ...(options.restartStrategy === undefined ? {} : { restartStrategy: options.restartStrategy }),
        ...(options.checkpointStorage === undefined ? {} : { checkpointing: { storage: options.checkpointStorage } }),
      }),
    );
    const first = (jobManager = start('jobmanager', ['jobmanager', '--config', config], {}, runKey, children));
    const ports = await new Promise<JobManagerStartedMessage>((ok, fail) => {
      first.on('message', (m: JobManagerStartedMessage) => m.type === 'jobmanager-started' && ok(m));
      first.once('exit', (code) => fail(new Error(`the JobManager exited with code ${code} before it started (see its log above)`)));
    });
    // Started again on the same ports, where the TaskManagers look for it and this process polls it.
    const jobManagerEnv = { SLUICE_JOBMANAGER__RPC_PORT: String(ports.rpcPort), SLUICE_JOBMANAGER__REST_PORT: String(ports.restPort) };
    supervise('jobmanager', first, () => (jobManager = start('jobmanager', ['jobmanager', '--config', config], jobManagerEnv, runKey, children)), () => stopping);
    for (let i = 0; i < options.taskManagers; i++) {
      const name = `taskmanager-${i}`;
      const env = { SLUICE_JOBMANAGER__RPC_PORT: String(ports.rpcPort), SLUICE_TASKMANAGER__ID: name };
      const launch = () => start(name, ['taskmanager', '--config', config], env, runKey, children);
      supervise(name, launch(), launch, () => stopping);
    }
    const rest = `http://127.0.0.1:${ports.restPort}/jobs/${encodeURIComponent(jobId)}`;
    const jobFailure = async (state: string) => {
      const exceptions = (await (await fetch(`${rest}/exceptions`, auth)).json()) as JobExceptions;
      return new Error(`job ${options.name} ${state}: ${exceptions.rootException?.message ?? 'no exception recorded'}`);
    };
    let details: JobDetails | undefined;
    for (;;) {
      // No answer while the JobManager is being started again.
      details = await fetch(rest, auth).then((r) => (r.ok ? (r.json() as Promise<JobDetails>) : undefined), () => undefined);
      if (details !== undefined && TERMINAL.has(details.state)) break;
      await delay(POLL_MS);
    }
    if (details.state !== 'FINISHED') throw await jobFailure(details.state);
    const operators = (await (await fetch(`${rest}/operators`, auth)).json()) as OperatorResult[];
    return { details, operators };
  } finally {
    stopping = true;
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    // TaskManagers first, so none of them logs losing the JobManager on the way out.
    await stopAll(children.filter((c) => c !== jobManager));
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `name` again with `relaunch` whenever it dies before the run ends, as Kubernetes restarts a
 * container: at once, then after a back-off that doubles while it keeps dying soon after its start.
 */
function supervise(name: string, first: ChildProcess, relaunch: () => ChildProcess, stopping: () => boolean): void {
  let quickDeaths = 0;
  const watch = (child: ChildProcess, startedAt: number) => {
    child.once('exit', (code, signal) => {
      if (stopping()) return;
      quickDeaths = Date.now() - startedAt >= RESTART_RESET_MS ? 0 : quickDeaths + 1;
      const backoff = quickDeaths <= 1 ? 0 : Math.min(RESTART_BACKOFF_MS * 2 ** (quickDeaths - 2), MAX_RESTART_BACKOFF_MS);
      logger.warn({ process: name, code, signal, backoffMs: backoff }, `${name} exited (${signal ?? `code ${code}`}) before the job ended; starting it again${backoff > 0 ? ` in ${backoff} ms` : ''}`);
      setTimeout(() => stopping() || watch(relaunch(), Date.now()), backoff).unref();
    });
  };
  watch(first, Date.now());
}

function start(name: string, args: string[], env: Record<string, string>, runKey: Buffer, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    // Set here, not in the config file, so that no inherited SLUICE_SECURITY__RUN_KEY_FILE points elsewhere.
    env: { ...process.env, ...env, SLUICE_SECURITY__RUN_KEY_FILE: `/dev/fd/${RUN_KEY_FD}` },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
  });
  children.push(child);
  child.once('exit', () => children.splice(children.indexOf(child), 1));
  const keyPipe = child.stdio[RUN_KEY_FD] as Writable;
  keyPipe.on('error', () => undefined); // a child that died at once; its exit is reported below
  keyPipe.end(encodeRunKey(runKey));
  createInterface({ input: child.stdout! }).on('line', (line) => process.stdout.write(`${line}\n`));
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`[${name}] ${line}\n`));
  child.on('error', (e) => logger.error({ process: name, err: e }, `cannot start ${name}: ${e.message}`));
  return child;
}

/** SIGTERM every child, SIGKILL those still there after a grace period; resolves when all exited. */
async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((ok) => c.once('exit', () => ok()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    }),
  );
}
