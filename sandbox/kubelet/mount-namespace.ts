import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
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
 * per user so the last pod to leave removes what was created, deepest first.
 */
export class MountpointRegistry {
  private readonly refs = new Map<string, { count: number; created: string[]; isFile: boolean }>();

  acquire(target: string, isFile: boolean): void {
    const entry = this.refs.get(target);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    const created: string[] = [];
    const missing: string[] = [];
    for (let p = dirname(target); !existsSync(p); p = dirname(p)) missing.unshift(p);
    for (const dir of missing) {
      mkdirSync(dir);
      created.unshift(dir);
    }
    if (!existsSync(target)) {
      if (isFile) writeFileSync(target, '');
      else mkdirSync(target);
      created.unshift(target);
    }
    this.refs.set(target, { count: 1, created, isFile });
  }

  release(target: string): void {
    const entry = this.refs.get(target);
    if (entry === undefined) return;
    if (--entry.count > 0) return;
    this.refs.delete(target);
    for (const path of entry.created) {
      if (this.isCreatedByOther(path)) continue;
      try {
        if (path === target && entry.isFile) unlinkSync(path);
        else rmdirSync(path);
      } catch {
        // not empty or gone: someone else put something there, leave it
      }
    }
  }

  releaseAll(): void {
    for (const target of [...this.refs.keys()]) {
      const entry = this.refs.get(target)!;
      entry.count = 1;
      this.release(target);
    }
  }

  /** A directory this registry created for one target may be an ancestor of another live target. */
  private isCreatedByOther(path: string): boolean {
    for (const [target] of this.refs) if (target === path || target.startsWith(path + '/')) return true;
    return false;
  }
}
