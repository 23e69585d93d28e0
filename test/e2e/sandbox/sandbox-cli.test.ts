import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRegistry } from '../../../sandbox/kubelet/process-registry.ts';
import { ensureKubeTools } from '../../../sandbox/tools/kube-tools.ts';
import { runCommand } from '../../support/command.ts';
import { waitFor } from '../../support/processes.ts';
import { root, useCluster, type E2eCluster } from '../support/cluster.ts';
import { alive, apply, containerPid, nodePod, podWhere } from '../kubelet/pods.ts';

const NS = 'e2e-sandbox-cli';
// A sandbox of its own starts a whole control plane through npm and tsx, which takes a while on a loaded machine.
const OWN_SANDBOX_TIMEOUT_MS = 300_000;

/** `npm run sandbox -- --dir <dir> <args>`; `up` may wait up to its own 120 s start timeout. */
const sandboxCli = (dir: string, ...args: string[]) =>
  runCommand('npm', ['run', '--silent', '--prefix', root, 'sandbox', '--', '--dir', dir, ...args], { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir }, undefined, 150_000);
const readState = (dir: string) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { pid: number; apiServerUrl: string; kubeconfigPath: string; s3?: { endpoint: string } };

describe('npm run sandbox -- status/up/kill-pod on the running e2e sandbox', () => {
  let cluster: E2eCluster;
  beforeAll(async () => {
    cluster = await useCluster(NS);
  });
  afterAll(() => cluster?.release());

  it('says it runs, is idempotent, and kill-pod SIGKILLs a pod that the kubelet then restarts', async () => {
    const { pid, kubeconfigPath } = readState(cluster.dir);
    const status = await sandboxCli(cluster.dir, 'status');
    expect(status.stdout).toContain(`sandbox running (pid ${pid})`);
    expect(status.stdout).toContain(`export KUBECONFIG=${kubeconfigPath}\n`);
    const again = await sandboxCli(cluster.dir, 'up');
    expect(again.stdout).toContain(`sandbox already running (pid ${pid})`);

    const script = `require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
    expect((await apply(cluster, nodePod('worker', script))).trim()).toBe('pod/worker created');
    const running = await podWhere(cluster, 'worker', 'Running', (p) => p.status?.phase === 'Running');
    const firstPid = containerPid(running);

    const kill = await sandboxCli(cluster.dir, 'kill-pod', `${NS}/worker`);
    expect(kill.stdout.trim()).toBe(`killed 1 process(es) of pod ${NS}/worker`);
    const restarted = await podWhere(cluster, 'worker', 'restarted', (p) => {
      const s = p.status!.containerStatuses![0]!;
      return s.restartCount === 1 && 'running' in s.state;
    });
    expect(restarted.status!.containerStatuses![0]!.lastState.terminated).toMatchObject({ exitCode: 137, signal: 9 });
    expect(alive(firstPid)).toBe(false);
    expect(alive(containerPid(restarted))).toBe(true);
    const missing = await sandboxCli(cluster.dir, 'kill-pod', `${NS}/nothing`);
    expect({ code: missing.code, stderr: missing.stderr.trim() }).toEqual({ code: 1, stderr: `sandbox kill-pod: pod ${NS}/nothing is not running on this node` });
  });
});

describe('npm run sandbox -- up/down with a sandbox of its own', () => {
  const dirs: string[] = [];
  const ownDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) {
      // only reached with something left running when a test failed midway
      if (existsSync(join(dir, 'state.json')) && alive(readState(dir).pid)) process.kill(readState(dir).pid, 'SIGKILL');
      for (const processes of [join(dir, 'kubelet', 'processes'), join(dir, 'processes')]) if (existsSync(processes)) new ProcessRegistry(processes).killLeftovers();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const kubectlIn = async (kubeconfigPath: string, args: string[], stdin?: string) => {
    const { kubectl } = await ensureKubeTools();
    return runCommand(kubectl, ['--kubeconfig', kubeconfigPath, ...args], { PATH: process.env.PATH ?? '', HOME: tmpdir() }, stdin);
  };
  const runningPid = (kubeconfigPath: string, name: string) =>
    waitFor(`${name} Running`, async () => {
      const pod = JSON.parse((await kubectlIn(kubeconfigPath, ['get', 'pod', name, '-o', 'json'])).stdout);
      return pod.status?.phase === 'Running' ? Number(pod.status.containerStatuses[0].containerID.replace('process://', '')) : undefined;
    }, 60_000);

  it('starts in the background and down stops the control plane, MinIO and every pod process', async () => {
    const dir = ownDir();
    const up = await sandboxCli(dir, 'up');
    if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}): ${up.stdout}${up.stderr}`);
    const { pid, kubeconfigPath, apiServerUrl, s3 } = readState(dir);
    expect(up.stdout).toContain(`export KUBECONFIG=${kubeconfigPath}\n`);
    expect(alive(pid)).toBe(true);
    const pod = nodePod('worker', `require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000);`);
    expect((await kubectlIn(kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(pod))).stdout.trim()).toBe('pod/worker created');
    const podPid = await runningPid(kubeconfigPath, 'worker');

    const down = await sandboxCli(dir, 'down');
    expect(down.stdout.trim()).toBe('sandbox stopped');
    expect(alive(pid)).toBe(false);
    expect(alive(podPid)).toBe(false);
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
    await expect(fetch(`${apiServerUrl}/version`)).rejects.toThrow();
    await expect(fetch(s3!.endpoint)).rejects.toThrow();
    const status = await sandboxCli(dir, 'status');
    expect({ code: status.code, out: status.stdout.trim() }).toEqual({ code: 3, out: 'sandbox is not running' });
  }, OWN_SANDBOX_TIMEOUT_MS);

  it('down also kills the control plane and pod processes of a sandbox that died without stopping them', async () => {
    const dir = ownDir();
    const up = await sandboxCli(dir, 'up', '--no-s3');
    if (up.code !== 0) throw new Error(`sandbox up failed (${up.code}): ${up.stdout}${up.stderr}`);
    const { pid, kubeconfigPath, apiServerUrl } = readState(dir);
    const mountPath = `/etc/sluice-cli-test-${process.pid}/data`;
    const orphan = nodePod('orphan', `setInterval(() => {}, 1000);`, {
      spec: { volumes: [{ name: 'data', emptyDir: {} }] },
      container: { volumeMounts: [{ name: 'data', mountPath }] },
    });
    await kubectlIn(kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(orphan));
    const podPid = await runningPid(kubeconfigPath, 'orphan');
    const controlPlane = new ProcessRegistry(join(dir, 'processes'));
    process.kill(pid, 'SIGKILL');
    await waitFor('sandbox process gone', () => (alive(pid) ? undefined : true));
    expect(alive(podPid)).toBe(true);
    expect(existsSync(mountPath)).toBe(true);
    const down = await sandboxCli(dir, 'down');
    // etcd, kube-apiserver, kube-controller-manager, kube-scheduler and the pod's process
    expect(down.stdout.trim()).toBe('sandbox stopped (killed 5 leftover processes)');
    await waitFor('orphan process gone', () => (alive(podPid) ? undefined : true), 5_000);
    await expect(fetch(`${apiServerUrl}/version`)).rejects.toThrow();
    expect(existsSync(`/etc/sluice-cli-test-${process.pid}`)).toBe(false);
    expect(controlPlane.killLeftovers()).toBe(0);
  }, OWN_SANDBOX_TIMEOUT_MS);
});
