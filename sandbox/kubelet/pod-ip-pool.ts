import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Loopback pod addresses. Every kubelet on the machine claims one block `127.0.<b>.0/24` through an
 * exclusive lock file (so concurrent sandboxes never hand out the same address); inside it `.1` is
 * the `kubernetes` Service (API server proxy), `.255` answers for Services without endpoints, and
 * `.2`–`.254` are pod IPs, handed out round-robin so a released address is reused as late as possible.
 */
export class PodIpPool {
  readonly apiServerAddress: string;
  readonly noEndpointsAddress: string;
  private readonly inUse = new Set<number>();
  private next = 2;

  private constructor(
    readonly block: number,
    private readonly lockFile: string,
  ) {
    this.apiServerAddress = `127.0.${block}.1`;
    this.noEndpointsAddress = `127.0.${block}.255`;
  }

  static claim(lockDir = join(tmpdir(), 'sluice-sandbox-ip-blocks')): PodIpPool {
    mkdirSync(lockDir, { recursive: true });
    const start = 1 + Math.floor(Math.random() * 254);
    for (let i = 0; i < 254; i++) {
      const block = 1 + ((start - 1 + i) % 254);
      const file = join(lockDir, String(block));
      if (tryLock(file)) return new PodIpPool(block, file);
    }
    throw new Error(`no free loopback block 127.0.<1-254>.0/24: every lock in ${lockDir} is held by a live process`);
  }

  allocate(): string {
    for (let i = 0; i < 253; i++) {
      const host = 2 + ((this.next - 2 + i) % 253);
      if (!this.inUse.has(host)) {
        this.inUse.add(host);
        this.next = host + 1 > 254 ? 2 : host + 1;
        return `127.0.${this.block}.${host}`;
      }
    }
    throw new Error(`pod IP pool 127.0.${this.block}.0/24 is exhausted (253 pods)`);
  }

  release(ip: string): void {
    const parts = ip.split('.');
    if (parts.length === 4 && parts[2] === String(this.block)) this.inUse.delete(Number(parts[3]));
  }

  close(): void {
    try {
      unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
  }
}

function tryLock(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch {
      if (!isStale(file)) return false;
      try {
        unlinkSync(file);
      } catch {
        return false;
      }
    }
  }
  return false;
}

function isStale(file: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
