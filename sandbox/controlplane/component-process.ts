import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { ProcessRegistry } from '../kubelet/process-registry.ts';

/** One control-plane program running as a child process, its output in a log file. */
export interface ComponentProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** The last lines of its log, for errors that must say why it did not start. */
  logTail(lines?: number): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `binary` in its own process group (so a stop reaches everything it forked) with stdout
 * and stderr appended to `logFile`, and records it in `registry` so that `sandbox down` can kill
 * it if the process that started it dies first.
 */
export function startComponent(name: string, binary: string, args: string[], logFile: string, registry?: ProcessRegistry, env?: NodeJS.ProcessEnv): ComponentProcess {
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, args, { detached: true, stdio: ['ignore', log, log], env: env ?? process.env });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${name} (${binary})`);
  registry?.add(pid);
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => {
      registry?.remove(pid);
      done(code ?? signal);
    }),
  );
  const logTail = (lines = 15) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid,
    logFile,
    exited,
    logTail,
    async stop(graceMs = 10_000) {
      if (!alive()) return;
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-pid, signal);
        } catch {
          // already gone
        }
      };
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
