import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const key = (path: string) => createHash('sha1').update(path).digest('hex');

/**
 * Mountpoints the kubelet has to create on the host (a bind mount needs an existing target), shared
 * by every kubelet on the machine through files in `sharedDir`: a holder file per kubelet and
 * target, and a record per path some kubelet created. A created path is removed, deepest first, only
 * once no live holder (of any kubelet) has a target at or below it: removing a directory that is a
 * mountpoint in another process's mount namespace would detach that mount under it.
 */
export class MountpointRegistry {
  private readonly refs = new Map<string, number>();
  private readonly holder = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly targetsDir: string;
  private readonly createdDir: string;

  constructor(sharedDir = join(tmpdir(), 'sluice-sandbox-mountpoints')) {
    this.targetsDir = join(sharedDir, 'targets');
    this.createdDir = join(sharedDir, 'created');
    mkdirSync(this.targetsDir, { recursive: true });
    mkdirSync(this.createdDir, { recursive: true });
  }

  acquire(target: string, isFile: boolean): void {
    const count = this.refs.get(target) ?? 0;
    this.refs.set(target, count + 1);
    if (count > 0) return;
    // path before holder: whoever sees a live holder can read the path
    const dir = join(this.targetsDir, key(target));
    mkdirSync(join(dir, 'holders'), { recursive: true });
    writeFileSync(join(dir, 'path'), target);
    writeFileSync(join(dir, 'holders', this.holder), '');
    const missing: string[] = [];
    for (let p = dirname(target); !existsSync(p); p = dirname(p)) missing.unshift(p);
    // Explicit modes: the kubelet's umask must not make mountpoints untraversable for a pod's runAsUser.
    for (const path of missing) {
      this.record(path, false);
      mkdirSync(path, { recursive: true });
      chmodSync(path, 0o755);
    }
    if (!existsSync(target)) {
      this.record(target, isFile);
      if (isFile) writeFileSync(target, '');
      else mkdirSync(target, { recursive: true });
      chmodSync(target, isFile ? 0o644 : 0o755);
    }
  }

  release(target: string): void {
    const count = this.refs.get(target);
    if (count === undefined) return;
    if (count > 1) {
      this.refs.set(target, count - 1);
      return;
    }
    this.refs.delete(target);
    rmSync(join(this.targetsDir, key(target), 'holders', this.holder), { force: true });
    this.removeUnused();
  }

  releaseAll(): void {
    for (const target of this.refs.keys()) rmSync(join(this.targetsDir, key(target), 'holders', this.holder), { force: true });
    this.refs.clear();
    this.removeUnused();
  }

  private record(path: string, isFile: boolean): void {
    writeFileSync(join(this.createdDir, key(path)), JSON.stringify({ path, isFile }));
  }

  /**
   * Targets with a live holder; stale holder files (dead processes) are dropped on the way. Target
   * directories are left in place: another kubelet may be about to add its holder to one.
   */
  private liveTargets(): string[] {
    const live: string[] = [];
    for (const entry of readdirSync(this.targetsDir)) {
      const dir = join(this.targetsDir, entry);
      try {
        const alive = readdirSync(join(dir, 'holders')).filter((h) => {
          if (processAlive(Number(h.split('-')[0]))) return true;
          rmSync(join(dir, 'holders', h), { force: true });
          return false;
        });
        if (alive.length > 0) live.push(readFileSync(join(dir, 'path'), 'utf8'));
      } catch {
        // being created or cleaned by another kubelet right now
      }
    }
    return live;
  }

  private removeUnused(): void {
    // Records first, holders second: acquire() writes its holder before its record, so every record
    // read here whose creator is still acquiring has a holder by the time the holders are read.
    // (The other order let a kubelet remove a mountpoint another kubelet had just created and was
    // about to bind-mount, detaching the volume from that container.)
    const records = readdirSync(this.createdDir)
      .map((name) => {
        try {
          return { file: join(this.createdDir, name), ...(JSON.parse(readFileSync(join(this.createdDir, name), 'utf8')) as { path: string; isFile: boolean }) };
        } catch {
          return undefined;
        }
      })
      .filter((r) => r !== undefined)
      .sort((a, b) => b.path.length - a.path.length);
    const live = this.liveTargets();
    for (const r of records) {
      if (live.some((t) => t === r.path || t.startsWith(r.path + '/'))) continue;
      try {
        if (r.isFile) unlinkSync(r.path);
        else rmdirSync(r.path);
      } catch {
        // gone already, or someone else put something there: leave it, stop tracking it
      }
      rmSync(r.file, { force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
