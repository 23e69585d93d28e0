import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  /** Supplementary groups (the pod's fsGroup and supplementalGroups); none when absent. */
  groups?: number[];
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
 * its mountPath, then drops to `runAs` (after mounting, which needs root). `unshare` and the shell
 * `exec` into the container's process, so the spawned pid is the container's main process.
 *
 * A volume may be mounted over a host directory that holds other volumes' sources or the host
 * paths in `keep` (the project checkout the process runs from, the kubelet's state): an emptyDir
 * at /tmp while the sandbox lives under /tmp. So every source and kept path is opened first and
 * mounted from its descriptor (`--no-canonicalize`, or mount would resolve the hidden path), and
 * each kept path that a volume covers is bound back at its own path afterwards.
 */
export function containerCommand(mounts: BindMount[], runAs: RunAs, argv: string[], keep: string[] = []): ProcessCommand {
  const ordered = [...mounts].sort((a, b) => depth(a.target) - depth(b.target));
  const covered = keep.filter((p) => mounts.some((m) => p === m.target || p.startsWith(`${m.target}/`)));
  const fd = (i: number): number => FIRST_FD + i;
  const lines = ['set -e'];
  [...ordered.map((m) => m.source), ...covered].forEach((path, i) => lines.push(`exec ${fd(i)}<${quote(path)}`));
  ordered.forEach((m, i) => {
    // the kubelet created missing mountpoints; recreate one that vanished meanwhile rather than fail
    lines.push(`[ -e ${quote(m.target)} ] || { mkdir -p ${quote(dirname(m.target))}; if [ -d /proc/self/fd/${fd(i)} ]; then mkdir ${quote(m.target)}; else : > ${quote(m.target)}; fi; }`);
    lines.push(`mount --no-canonicalize --bind /proc/self/fd/${fd(i)} ${quote(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${quote(m.target)}`);
  });
  covered.forEach((path, i) => {
    lines.push(`mkdir -p ${quote(path)}`, `mount --no-canonicalize --bind /proc/self/fd/${fd(ordered.length + i)} ${quote(path)}`);
  });
  for (let i = 0; i < ordered.length + covered.length; i++) lines.push(`exec ${fd(i)}<&-`);
  lines.push(`exec ${dropPrivileges(runAs).map(quote).join(' ')} "$@"`);
  return { file: 'unshare', args: ['--mount', '--propagation', 'private', '--', '/bin/bash', '--norc', '--noprofile', '-c', lines.join('\n'), 'container', ...argv] };
}

/** Descriptors from here on hold volume sources while mounting; bash accepts multi-digit ones. */
const FIRST_FD = 10;

/**
 * Resolves once the process that {@link containerCommand} started has mounted every volume and
 * exec'd into the container's command: until then its command line is `unshare …` or the setup
 * shell's, and a hook run in its mount namespace would see the bare mountpoints (a postStart hook
 * writing to a volume wrote beside it, under load). Before that, between fork and exec, the child
 * still shows this process's command line. Resolves false if the process ends first or
 * after `timeoutMs`.
 */
export async function containerSetUp(pid: number, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return false;
    }
    const argv = commandLine.split('\0');
    const settingUp =
      commandLine === ownCommandLine() || argv[0] === 'unshare' || (argv[0] === '/bin/bash' && argv[1] === '--norc' && argv[2] === '--noprofile');
    if (!settingUp) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
}

let ownCommandLineText: string | undefined;
function ownCommandLine(): string {
  ownCommandLineText ??= readFileSync('/proc/self/cmdline', 'utf8');
  return ownCommandLineText;
}

/** The command that runs `argv` inside a running container's mount namespace (exec probes). */
export function execInContainerCommand(pid: number, runAs: RunAs, argv: string[]): ProcessCommand {
  return { file: 'nsenter', args: [`--target=${pid}`, '--mount', '--', ...dropPrivileges(runAs), ...argv] };
}

function dropPrivileges(runAs: RunAs): string[] {
  if (runAs.uid === undefined && runAs.gid === undefined) return [];
  const args = ['setpriv'];
  if (runAs.uid !== undefined) args.push(`--reuid=${runAs.uid}`);
  const groups = runAs.groups ?? [];
  args.push(`--regid=${runAs.gid ?? runAs.uid ?? 0}`, groups.length === 0 ? '--clear-groups' : `--groups=${groups.join(',')}`, '--');
  return args;
}

function depth(path: string): number {
  return path.split('/').filter(Boolean).length;
}
