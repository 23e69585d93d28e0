import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { OperatorResult } from '../api/job-execution-result.ts';
import type { JobDetails, JobExceptions } from '../rest/rest-types.ts';
import { logger } from '../core/logger.ts';

export interface LocalClusterOptions {
  readonly job: string;
  readonly args: readonly string[];
  readonly name: string;
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
const POLL_MS = 100;
const STOP_GRACE_MS = 5000;
const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED']);

/**
 * `sluice run job.ts --taskmanagers N`: a JobManager and N TaskManager child processes on loopback
 * (ephemeral ports, a temporary config), their logs streamed with a prefix per process and their
 * stdout (print sinks) passed through. Resolves when the job finished; rejects with the job's
 * failure. Children have an IPC channel to this process and exit when it goes, even if SIGKILLed.
 */
export async function runLocalCluster(options: LocalClusterOptions): Promise<LocalClusterResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  const children: ChildProcess[] = [];
  const stopOnSignal = () => void stopAll(children).then(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        job: {
          id: options.name,
          name: options.name,
          entry: resolve(options.job),
          args: options.args,
          ...(options.parallelism === undefined ? {} : { parallelism: options.parallelism }),
          ...(options.maxParallelism === undefined ? {} : { maxParallelism: options.maxParallelism }),
        },
        jobmanager: { address: '127.0.0.1', bindAddress: '127.0.0.1', rpcPort: 0, restPort: 0 },
        taskmanager: { bindAddress: '127.0.0.1', dataPort: 0 },
        restartStrategy: { type: 'none' },
      }),
    );
    const jm = start('jobmanager', ['jobmanager', '--config', config], {}, children);
    const ports = await new Promise<JobManagerStartedMessage>((ok, fail) => {
      jm.on('message', (m: JobManagerStartedMessage) => m.type === 'jobmanager-started' && ok(m));
      jm.once('exit', (code) => fail(new Error(`the JobManager exited with code ${code} before it started (see its log above)`)));
    });
    for (let i = 0; i < options.taskManagers; i++) {
      start(`taskmanager-${i}`, ['taskmanager', '--config', config], { SLUICE_JOBMANAGER__RPC_PORT: String(ports.rpcPort), SLUICE_TASKMANAGER__ID: `taskmanager-${i}` }, children);
    }
    const rest = `http://127.0.0.1:${ports.restPort}/jobs/${encodeURIComponent(options.name)}`;
    const exited = new Promise<never>((_, fail) => {
      for (const c of children) c.once('exit', (code, signal) => fail(new Error(`a cluster process exited (${signal ?? `code ${code}`}) before the job ended (see its log above)`)));
    });
    exited.catch(() => undefined);
    const jobFailure = async (state: string) => {
      const exceptions = (await (await fetch(`${rest}/exceptions`)).json()) as JobExceptions;
      return new Error(`job ${options.name} ${state}: ${exceptions.rootException?.message ?? 'no exception recorded'}`);
    };
    let details: JobDetails;
    try {
      for (;;) {
        details = await Promise.race([fetch(rest).then((r) => r.json() as Promise<JobDetails>), exited]);
        if (TERMINAL.has(details.state)) break;
        await Promise.race([delay(POLL_MS), exited]);
      }
    } catch (e) {
      // A TaskManager that cannot build the job exits; the JobManager's account of the failure says more.
      const state = await fetch(rest).then((r) => r.json() as Promise<JobDetails>).then((d) => d.state, () => null);
      throw state === 'FAILED' ? await jobFailure(state) : e;
    }
    if (details.state !== 'FINISHED') throw await jobFailure(details.state);
    const operators = (await (await fetch(`${rest}/operators`)).json()) as OperatorResult[];
    return { details, operators };
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    // TaskManagers first, so none of them logs losing the JobManager on the way out.
    await stopAll(children.slice(1));
    await stopAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

function start(name: string, args: string[], env: Record<string, string>, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
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
