import { describe, it, expect, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMountNamespaceSupport, containerCommand, MountpointRegistry } from '../../../sandbox/kubelet/mount-namespace.ts';

describe('private mount namespace per container', () => {
  const base = mkdtempSync(join(tmpdir(), 'mountns-'));
  // The mountpoints must be reachable for the unprivileged user, as /etc or /var are; the pod dir need not be.
  chmodSync(base, 0o755);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

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

    const registry = new MountpointRegistry();
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
    const registry = new MountpointRegistry();
    const target = join(base, 'shared', 'data');
    registry.acquire(target, false);
    registry.acquire(target, false);
    registry.release(target);
    expect(existsSync(target)).toBe(true);
    registry.release(target);
    expect(existsSync(join(base, 'shared'))).toBe(false);
  });
});
