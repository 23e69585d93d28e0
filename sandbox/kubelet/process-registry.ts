import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A file per container process group the kubelet started (`<dir>/<pid>` holding the process's
 * start time), so `sandbox down` can kill what a crashed kubelet left behind without ever
 * signalling an unrelated process that later got the same pid.
 */
export class ProcessRegistry {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  add(pid: number): void {
    const started = processStartTime(pid);
    if (started !== undefined) writeFileSync(join(this.dir, String(pid)), started);
  }

  remove(pid: number): void {
    rmSync(join(this.dir, String(pid)), { force: true });
  }

  /** SIGKILLs every recorded process group still alive with its recorded start time; returns how many. */
  killLeftovers(): number {
    let killed = 0;
    for (const name of readdirSync(this.dir)) {
      const pid = Number(name);
      const recorded = readFileSync(join(this.dir, name), 'utf8');
      if (Number.isInteger(pid) && pid > 0 && processStartTime(pid) === recorded) {
        try {
          process.kill(-pid, 'SIGKILL');
          killed++;
        } catch {
          // gone meanwhile
        }
      }
      this.remove(pid);
    }
    return killed;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or undefined if gone. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
