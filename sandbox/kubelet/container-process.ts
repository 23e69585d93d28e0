import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import type { ProcessCommand } from './mount-namespace.ts';
import type { ProcessRegistry } from './process-registry.ts';

export interface ContainerExit {
  exitCode: number;
  signal?: number;
}

/** One running container instance: a process group whose stdout and stderr go to one log file. */
export interface ContainerProcess {
  pid: number;
  exited: Promise<ContainerExit>;
  /** Signals the whole process group, so children die too. */
  signal(signal: NodeJS.Signals): void;
}

/**
 * Starts a container's process in its own session/process group. Both output streams share one
 * append-mode file descriptor, so lines interleave exactly as written and never pass through the
 * kubelet.
 */
export function startContainerProcess(command: ProcessCommand, env: Record<string, string>, cwd: string, logPath: string, registry: ProcessRegistry): ContainerProcess {
  const fd = openSync(logPath, 'a');
  let child;
  try {
    child = spawn(command.file, command.args, { cwd, env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  const exited = new Promise<ContainerExit>((resolve) => {
    child.once('error', () => resolve({ exitCode: 128 }));
    child.once('exit', (code, signal) => {
      const signo = signal === null ? undefined : constants.signals[signal];
      resolve(signo === undefined ? { exitCode: code ?? 128 } : { exitCode: 128 + signo, signal: signo });
    });
  }).then((exit) => {
    if (pid !== undefined) {
      signalGroup(pid, 'SIGKILL');
      registry.remove(pid);
    }
    return exit;
  });
  if (pid === undefined) return { pid: -1, exited, signal: () => {} };
  registry.add(pid);
  return { pid, exited, signal: (sig) => signalGroup(pid, sig) };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}
