import { spawnSync } from 'node:child_process';
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
    // the kubelet created missing mountpoints; recreate one that vanished meanwhile rather than fail
    lines.push(`[ -e ${quote(m.target)} ] || { mkdir -p ${quote(dirname(m.target))}; if [ -d ${quote(m.source)} ]; then mkdir ${quote(m.target)}; else : > ${quote(m.target)}; fi; }`);
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
