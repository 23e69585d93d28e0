import { describe, it, expect, afterEach } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { materializeVolumes, volumeDir } from '../../../../sandbox/kubelet/pod-volumes.ts';
import type { Pod, Secret } from '../../../../sandbox/kube-api/kube-types.ts';

let podDir: string | undefined;
afterEach(() => {
  if (podDir !== undefined) rmSync(podDir, { recursive: true, force: true });
});

const secret: Secret = { metadata: { namespace: 'jobs', name: 'key' }, data: { 'run-key': Buffer.from('0123').toString('base64') } };
const pod = (fsGroup?: number): Pod => ({
  metadata: { namespace: 'jobs', name: 'p', uid: 'u' },
  spec: {
    ...(fsGroup === undefined ? {} : { securityContext: { runAsUser: 10001, fsGroup } }),
    containers: [{ name: 'c' }],
    volumes: [{ name: 'run-key', secret: { secretName: 'key', defaultMode: 0o400 } }],
  },
});

async function materialize(p: Pod): Promise<string> {
  podDir = mkdtempSync(join(tmpdir(), 'pod-volumes-'));
  await materializeVolumes({
    pod: p,
    podDir,
    objects: { configMap: async () => undefined, secret: async (ns, name) => (ns === 'jobs' && name === 'key' ? secret : undefined) },
    tokens: { serviceAccountToken: async () => 'unused' },
    nodeCapacity: { cpu: 1, memoryBytes: 1 << 30 },
  });
  return join(volumeDir(podDir, 'run-key'), 'run-key');
}

describe('projected volume files', () => {
  it('keep the mode asked for without an fsGroup', async () => {
    const file = await materialize(pod());
    expect(readFileSync(file, 'utf8')).toBe('0123');
    expect(statSync(file).mode & 0o777).toBe(0o400);
  });

  it('belong to the fsGroup and are group-readable with one, as the kubelet makes them', async () => {
    const file = await materialize(pod(10001));
    expect(statSync(file).mode & 0o777).toBe(0o440);
    // Group ownership needs root, as running containers as another user does.
    expect(statSync(file).gid).toBe(process.getuid?.() === 0 ? 10001 : process.getgid?.());
  });
});
