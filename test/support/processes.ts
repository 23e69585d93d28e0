import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { testRunKeyFile } from './run-key.ts';

/** A child process started by a ProcessGroup, with its output lines kept for assertions. */
export interface TrackedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (or signal name) once the process exited. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts processes and guarantees they are gone afterwards: `stopAll()` in `afterAll`/`finally`
 * sends SIGTERM (SIGCONT first, for stopped ones), then SIGKILL after a grace period. Each child
 * gets an IPC channel: the sluice commands exit when it closes, so even a killed test runner
 * leaves no process behind.
 */
export class ProcessGroup {
  readonly processes: TrackedProcess[] = [];

  spawn(name: string, command: string, args: readonly string[], env: Record<string, string | undefined> = {}): TrackedProcess {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (l) => stdout.push(l));
    createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
    const tracked = { name, child, stdout, stderr, exited };
    this.processes.push(tracked);
    return tracked;
  }

  /** `sluice <args>` as a child process, with the tests' run key (support/run-key.ts) unless `env` sets another. */
  sluice(name: string, args: readonly string[], env: Record<string, string | undefined> = {}): TrackedProcess {
    return this.spawn(name, process.execPath, ['runtime/cli/bin.js', ...args], { SLUICE_LOG_LEVEL: 'info', SLUICE_SECURITY__RUN_KEY_FILE: testRunKeyFile(), ...env });
  }

  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all(
      this.processes.map(async (p) => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        p.child.kill('SIGCONT');
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
        await p.exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** Polls `probe` until it returns a value other than undefined; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await delay(intervalMs);
  }
}

/** Polls `condition` until it holds; `waitFor` for a yes/no question. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000, intervalMs = 10): Promise<void> {
  await waitFor(what, async () => ((await condition()) ? true : undefined), timeoutMs, intervalMs);
}

/** The first JSON log line of `p` (stderr, pino) matching `match`, waiting up to `timeoutMs`. */
export function waitForLog(p: TrackedProcess, match: (entry: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return waitFor(`a log line of ${p.name}`, () => {
    for (const line of p.stderr) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      if (match(entry)) return entry;
    }
    return undefined;
  }, timeoutMs);
}

/** The IPC message of `p` matching `match` (e.g. the JobManager telling its ports). */
export function waitForMessage<T>(p: TrackedProcess, match: (m: unknown) => m is T, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for a message from ${p.name}`)), timeoutMs);
    const onMessage = (m: unknown) => {
      if (!match(m)) return;
      clearTimeout(timer);
      p.child.off('message', onMessage);
      resolve(m);
    };
    p.child.on('message', onMessage);
    void p.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${p.name} exited (${code}) before sending the message; stderr:\n${p.stderr.join('\n')}`));
    });
  });
}
