import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One volume mount: `source` (in the pod directory or a hostPath) bind-mounted at `target`. */
export interface BindMount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface RunAs {
  uid?: number;
  gid?: number;
}

export interface ProcessCommand {
  file: string;
  args: string[];
}

/**
 * Fails with a clear error when this machine cannot give each pod process a private mount
 * namespace (util-linux `unshare`, `mount` and root or CAP_SYS_ADMIN), which the kubelet needs to
 * mount volumes at their real `mountPath`.
 */
export function checkMountNamespaceSupport(): void {
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const detail = probe.error?.message ?? probe.stderr.trim();
    throw new Error(
      `the sandbox kubelet needs private mount namespaces (\`unshare --mount\` from util-linux, run as root or with CAP_SYS_ADMIN) to mount pod volumes at their mountPath: ${detail}`,
    );
  }
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command that runs `argv` in a new private mount namespace with every volume bind-mounted at
 * its mountPath, then drops to `runAs` (after mounting, which needs root). `unshare` and `sh`
 * `exec` into the container's process, so the spawned pid is the container's main process.
 */
export function containerCommand(mounts: BindMount[], runAs: RunAs, argv: string[]): ProcessCommand {
  const ordered = [...mounts].sort((a, b) => depth(a.target) - depth(b.target));
  const lines = ['set -e'];
  for (const m of ordered) {
    lines.push(`mount --bind ${quote(m.source)} ${quote(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${quote(m.target)}`);
  }
  lines.push(`exec ${dropPrivileges(runAs).map(quote).join(' ')} "$@"`);
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', lines.join('\n'), 'container', ...argv] };
}

/** The command that runs `argv` inside a running container's mount namespace (exec probes). */
export function execInContainerCommand(pid: number, runAs: RunAs, argv: string[]): ProcessCommand {
  return { file: 'nsenter', args: [`--target=${pid}`, '--mount', '--', ...dropPrivileges(runAs), ...argv] };
}

function dropPrivileges(runAs: RunAs): string[] {
  if (runAs.uid === undefined && runAs.gid === undefined) return [];
  const args = ['setpriv'];
  if (runAs.uid !== undefined) args.push(`--reuid=${runAs.uid}`);
  args.push(`--regid=${runAs.gid ?? runAs.uid ?? 0}`, '--clear-groups', '--');
  return args;
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}

/**
 * Mountpoints the kubelet had to create on the host (a bind mount needs an existing target), counted
 * per user; what was created is removed, deepest first, once no live mountpoint lies in it.
 */
export class MountpointRegistry {
  private readonly refs = new Map<string, number>();
  /** Paths this registry created, with whether each is a file. */
  private readonly created = new Map<string, boolean>();

  acquire(target: string, isFile: boolean): void {
    this.refs.set(target, (this.refs.get(target) ?? 0) + 1);
    const missing: string[] = [];
    for (let p = dirname(target); !existsSync(p); p = dirname(p)) missing.unshift(p);
    // Explicit modes: the kubelet's umask must not make mountpoints untraversable for a pod's runAsUser.
    for (const dir of missing) {
      mkdirSync(dir);
      chmodSync(dir, 0o755);
      this.created.set(dir, false);
    }
    if (!existsSync(target)) {
      if (isFile) writeFileSync(target, '', { mode: 0o644 });
      else mkdirSync(target);
      chmodSync(target, isFile ? 0o644 : 0o755);
      this.created.set(target, isFile);
    }
  }

  release(target: string): void {
    const count = this.refs.get(target);
    if (count === undefined) return;
    if (count > 1) this.refs.set(target, count - 1);
    else this.refs.delete(target);
    this.removeUnused();
  }

  releaseAll(): void {
    this.refs.clear();
    this.removeUnused();
  }

  private removeUnused(): void {
    const deepestFirst = [...this.created.keys()].sort((a, b) => b.length - a.length);
    for (const path of deepestFirst) {
      if (this.inUse(path)) continue;
      try {
        if (this.created.get(path)) unlinkSync(path);
        else rmdirSync(path);
      } catch {
        // not empty or gone: someone else put something there, leave it
      }
      this.created.delete(path);
    }
  }

  private inUse(path: string): boolean {
    for (const target of this.refs.keys()) if (target === path || target.startsWith(path + '/')) return true;
    return false;
  }
}
