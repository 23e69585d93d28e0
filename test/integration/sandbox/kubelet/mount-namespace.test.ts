import { describe, it, expect, afterAll } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMountNamespaceSupport, containerCommand, containerSetUp, execInContainerCommand } from '../../../../sandbox/kubelet/mount-namespace.ts';
import { MountpointRegistry } from '../../../../sandbox/kubelet/mountpoint-registry.ts';

describe('private mount namespace per container', () => {
  const base = mkdtempSync(join(tmpdir(), 'mountns-'));
  // The mountpoints must be reachable for the unprivileged user, as /etc or /var are; the pod dir need not be.
  chmodSync(base, 0o755);
  const shared = join(base, 'registry');
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('tells when a container has mounted its volumes and exec\'d its command, so a hook run then sees the volume', async () => {
    const volume = join(base, 'hooked', 'volume');
    mkdirSync(volume, { recursive: true });
    writeFileSync(join(volume, 'in-volume'), '');
    const mountPath = join(base, 'hooked', 'mountpoint');
    mkdirSync(mountPath, { recursive: true });
    // many mounts make the setup shell take a while, as a loaded machine does
    const mounts = Array.from({ length: 40 }, (_, i) => ({ source: volume, target: i === 0 ? mountPath : join(base, 'hooked', `extra-${i}`), readOnly: false }));
    for (const m of mounts.slice(1)) mkdirSync(m.target, { recursive: true });
    const command = containerCommand(mounts, {}, ['sleep', '30']);
    const child = spawn(command.file, command.args, { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
    try {
      expect(await containerSetUp(child.pid!)).toBe(true);
      expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').slice(0, 2)).toEqual(['sleep', '30']);
      const hook = execInContainerCommand(child.pid!, {}, ['ls', mountPath]);
      expect(spawnSync(hook.file, hook.args, { encoding: 'utf8' }).stdout).toBe('in-volume\n');
    } finally {
      child.kill('SIGKILL');
    }
    expect(await containerSetUp(-1)).toBe(false);
  });

  it('bind-mounts volumes at their mountPath for the process only, as the given user, and removes created mountpoints', () => {
    checkMountNamespaceSupport();
    const volume = join(base, 'pod', 'volumes', 'config');
    mkdirSync(volume, { recursive: true, mode: 0o700 });
    chmodSync(volume, 0o755);
    writeFileSync(join(volume, 'app.yaml'), 'level: debug\n', { mode: 0o644 });
    const fileSource = join(base, 'pod', 'single.txt');
    writeFileSync(fileSource, 'one file\n', { mode: 0o644 });
    const mountPath = join(base, 'etc', 'app', 'config');
    const filePath = join(base, 'etc', 'app', 'single.txt');

    const registry = new MountpointRegistry(shared);
    registry.acquire(mountPath, false);
    registry.acquire(filePath, true);
    const command = containerCommand(
      [
        { source: volume, target: mountPath, readOnly: true },
        { source: fileSource, target: filePath, readOnly: false },
      ],
      { uid: 4321, gid: 4322 },
      ['sh', '-c', `id -u; id -g; cat ${mountPath}/app.yaml ${filePath}; touch ${mountPath}/x 2>/dev/null || echo read-only`],
    );
    const run = spawnSync(command.file, command.args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('4321\n4322\nlevel: debug\none file\nread-only\n');
    expect(spawnSync('ls', ['-A', mountPath], { encoding: 'utf8' }).stdout).toBe('');

    registry.release(mountPath);
    expect(existsSync(mountPath)).toBe(false);
    expect(existsSync(filePath)).toBe(true);
    registry.release(filePath);
    expect(existsSync(join(base, 'etc'))).toBe(false);
    expect(existsSync(base)).toBe(true);
  });

  it('keeps a shared mountpoint until its last user releases it', () => {
    const registry = new MountpointRegistry(shared);
    const target = join(base, 'shared', 'data');
    registry.acquire(target, false);
    registry.acquire(target, false);
    registry.release(target);
    expect(existsSync(target)).toBe(true);
    registry.release(target);
    expect(existsSync(join(base, 'shared'))).toBe(false);
  });

  it('keeps a mountpoint another kubelet holds, and ignores holders whose process is gone', () => {
    const a = new MountpointRegistry(shared);
    const b = new MountpointRegistry(shared);
    const target = join(base, 'run', 'secrets', 'sa');
    a.acquire(target, false);
    b.acquire(target, false);
    a.release(target);
    expect(existsSync(target)).toBe(true);
    b.release(target);
    expect(existsSync(join(base, 'run'))).toBe(false);

    a.acquire(target, false);
    // a kubelet that died without releasing: its holder file names a pid that no longer exists
    const dead = spawnSync('true').pid!;
    const holders = join(shared, 'targets', readdirSync(join(shared, 'targets'))[0]!, 'holders');
    writeFileSync(join(holders, `${dead}-deadbeef`), '');
    a.release(target);
    expect(existsSync(join(base, 'run'))).toBe(false);
  });

  it('recreates a mountpoint that vanished before the container started', () => {
    const volume = join(base, 'vol');
    mkdirSync(volume);
    writeFileSync(join(volume, 'f'), 'x');
    const target = join(base, 'gone', 'mnt');
    const command = containerCommand([{ source: volume, target, readOnly: false }], {}, ['cat', join(target, 'f')]);
    const run = spawnSync(command.file, command.args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect({ out: run.stdout, err: run.stderr }).toEqual({ out: 'x', err: '' });
  });

  it('keeps volume sources and kept host paths visible under a volume mounted over their parent (an emptyDir at /tmp)', () => {
    const host = join(base, 'host');
    const checkout = join(host, 'checkout');
    const empty = join(host, 'pod', 'empty');
    const config = join(host, 'pod', 'config');
    for (const d of [checkout, empty, config]) mkdirSync(d, { recursive: true });
    writeFileSync(join(checkout, 'app.js'), 'app\n');
    writeFileSync(join(config, 'c.yaml'), 'cfg\n');
    const configTarget = join(base, 'etc', 'app', 'config');
    const command = containerCommand(
      [
        { source: empty, target: host, readOnly: false },
        { source: config, target: configTarget, readOnly: true },
      ],
      {},
      ['sh', '-c', `cat ${configTarget}/c.yaml ${checkout}/app.js; ls ${host}`],
      [checkout],
    );
    const run = spawnSync(command.file, command.args, { encoding: 'utf8', cwd: checkout, env: { PATH: process.env.PATH ?? '' } });
    expect({ out: run.stdout, err: run.stderr }).toEqual({ out: 'cfg\napp\ncheckout\n', err: '' });
  });
});
