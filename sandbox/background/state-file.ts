import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a command that runs a service in the background (`npm run sandbox -- up`, `npm run kafka -- up`)
 * leaves in its state directory for its `down` and `status`: `<dir>/state.json`, naming at least the
 * process that serves.
 */
export interface BackgroundState {
  pid: number;
}

const statePath = (dir: string) => join(dir, 'state.json');

/** The state `up` wrote, or undefined when there is none (or it is unreadable). */
export function readState<T extends BackgroundState>(dir: string): T | undefined {
  try {
    return JSON.parse(readFileSync(statePath(dir), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Replaces the state atomically, so a concurrent `status` never reads half a file. */
export function writeState(dir: string, state: BackgroundState): void {
  writeFileSync(`${statePath(dir)}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${statePath(dir)}.tmp`, statePath(dir));
}

export function removeState(dir: string): void {
  rmSync(statePath(dir), { force: true });
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
