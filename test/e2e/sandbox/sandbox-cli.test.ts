import { describe, it, expect, afterAll } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessRegistry } from '../../../sandbox/kubelet/process-registry.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { alive, nodePod, run } from './cluster-harness.ts';
import { waitFor } from '../../support/processes.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// Each test starts whole sandboxes through npm and tsx, which takes a while on a loaded machine.
const SANDBOX_TEST_TIMEOUT_MS = 300_000;

describe('npm run sandbox -- up/down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
  // `up` may wait up to its own 120 s start timeout
  const sandbox = (...args: string[]) => run('npm', ['run', '--silent', '--prefix', PROJECT_ROOT, 'sandbox', '--', '--dir', dir, ...args], undefined, 150_000);
  const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { pid: number; apiServerUrl: string; kubeconfigPath: string; s3: { endpoint: string } };

  afterAll(() => {
    // only reached with something left running when the test failed midway
    if (existsSync(join(dir, 'state.json')) && alive(state().pid)) process.kill(state().pid, 'SIGKILL');
    if (existsSync(join(dir, 'kubelet', 'processes'))) new ProcessRegistry(join(dir, 'kubelet', 'processes')).killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts in the background, is idempotent, injects faults, and stops leaving nothing running', async () => {
    const up = await sandbox('up', '--backoff-scale', '0.01');
    if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}): ${up.stderr}`);
    const { pid, kubeconfigPath, apiServerUrl, s3 } = state();
    expect(up.stdout).toContain(`export KUBECONFIG=${kubeconfigPath}\n`);
    expect(alive(pid)).toBe(true);

    const again = await sandbox('up');
    expect(again.stdout).toContain(`sandbox already running (pid ${pid})`);
    expect((await sandbox('status')).stdout).toContain(`sandbox running (pid ${pid})`);

    const { kubectl } = await ensureKubeTools();
    const kc = (...args: string[]) => run(kubectl, ['--kubeconfig', kubeconfigPath, ...args]);
    const script = `require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
    const apply = await run(kubectl, ['--kubeconfig', kubeconfigPath, 'apply', '-f', '-'], JSON.stringify(nodePod('worker', script)));
    expect(apply.stdout.trim()).toBe('pod/worker created');
    const podJson = async () => JSON.parse((await kc('get', 'pod', 'worker', '-o', 'json')).stdout);
    const running = await waitFor('worker Running', async () => ((await podJson()).status?.phase === 'Running' ? await podJson() : undefined));
    const firstPid = Number(running.status.containerStatuses[0].containerID.replace('process://', ''));

    const kill = await sandbox('kill-pod', 'default/worker');
    expect(kill.stdout.trim()).toBe('killed 1 process(es) of pod default/worker');
    const restarted = await waitFor('worker restarted', async () => {
      const pod = await podJson();
      return pod.status.containerStatuses[0].restartCount === 1 && pod.status.containerStatuses[0].state.running ? pod : undefined;
    });
    expect(restarted.status.containerStatuses[0].lastState.terminated.exitCode).toBe(137);
    const secondPid = Number(restarted.status.containerStatuses[0].containerID.replace('process://', ''));
    expect(alive(firstPid)).toBe(false);
    expect(alive(secondPid)).toBe(true);
    const missing = await sandbox('kill-pod', 'default/nothing');
    expect({ code: missing.code, stderr: missing.stderr.trim() }).toEqual({ code: 1, stderr: 'sandbox kill-pod: pod default/nothing is not running on this node' });

    const down = await sandbox('down');
    expect(down.stdout.trim()).toBe('sandbox stopped');
    expect(alive(pid)).toBe(false);
    expect(alive(secondPid)).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    await expect(fetch(`${apiServerUrl}/version`)).rejects.toThrow();
    await expect(fetch(s3.endpoint)).rejects.toThrow();
    const status = await sandbox('status');
    expect({ code: status.code, out: status.stdout.trim() }).toEqual({ code: 3, out: 'sandbox is not running' });
  }, SANDBOX_TEST_TIMEOUT_MS);

  it('down also kills the pod processes of a sandbox that died without stopping them', async () => {
    const up = await sandbox('up');
    if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}): ${up.stderr}`);
    const { pid, kubeconfigPath } = state();
    const { kubectl } = await ensureKubeTools();
    const mountPath = `/etc/sluice-cli-test-${process.pid}/data`;
    const orphan = nodePod('orphan', `setInterval(() => {}, 1000);`, {
      spec: { volumes: [{ name: 'data', emptyDir: {} }] },
      container: { volumeMounts: [{ name: 'data', mountPath }] },
    });
    await run(kubectl, ['--kubeconfig', kubeconfigPath, 'apply', '-f', '-'], JSON.stringify(orphan));
    const podPid = await waitFor('orphan Running', async () => {
      const pod = JSON.parse((await run(kubectl, ['--kubeconfig', kubeconfigPath, 'get', 'pod', 'orphan', '-o', 'json'])).stdout);
      return pod.status?.phase === 'Running' ? Number(pod.status.containerStatuses[0].containerID.replace('process://', '')) : undefined;
    });
    process.kill(pid, 'SIGKILL');
    await waitFor('sandbox process gone', () => (alive(pid) ? undefined : true));
    expect(alive(podPid)).toBe(true);
    expect(existsSync(mountPath)).toBe(true);
    const down = await sandbox('down');
    expect(down.stdout.trim()).toBe('sandbox stopped (killed 1 leftover pod processes)');
    await waitFor('orphan process gone', () => (alive(podPid) ? undefined : true), 5_000);
    expect(existsSync(`/etc/sluice-cli-test-${process.pid}`)).toBe(false);
  }, SANDBOX_TEST_TIMEOUT_MS);
});
