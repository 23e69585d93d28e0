import { describe, it, expect, afterEach } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitUntil } from '../../support/processes.ts';

// `npm start` as a person runs it: a child process (its own process group, as a terminal's job is),
// watched through its output; afterwards no process it started may be left.
const root = resolve(import.meta.dirname, '../../..');

interface Run {
  child: ChildProcess;
  dir: string;
  output: () => string;
  /** Process groups the sandbox recorded while the run lasted (pods and control plane), with their start times. */
  podProcesses: Map<number, string>;
  exited: Promise<number | null>;
}

const runs: Run[] = [];

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function npmStart(name: string, args: string[]): Run {
  const dir = join(root, '.sandbox', `${name}-${process.pid}-${Date.now()}`);
  const child = spawn('npm', ['start', '--', '--dir', dir, '--interval', '1', ...args], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const podProcesses = new Map<number, string>();
  const registries = [join(dir, 'kubelet', 'processes'), join(dir, 'processes')];
  const watch = setInterval(() => {
    for (const registry of registries) {
      if (!existsSync(registry)) continue;
      for (const name of readdirSync(registry)) podProcesses.set(Number(name), readFileSync(join(registry, name), 'utf8'));
    }
  }, 200);
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      clearInterval(watch);
      done(code);
    }),
  );
  const run = { child, dir, output: () => output, podProcesses, exited };
  runs.push(run);
  return run;
}

/** Waits for the run to end; then neither its process group nor a pod process it started may be alive. */
async function expectNothingLeft(run: Run): Promise<number | null> {
  const code = await run.exited;
  await waitUntil(() => !groupAlive(run.child.pid!), 'the process group of npm start to be gone', 10_000, 100);
  // etcd, API server, controller manager, scheduler, MinIO, operator, JobManager, two TaskManagers
  expect(run.podProcesses.size).toBeGreaterThanOrEqual(9);
  const alive = [...run.podProcesses].filter(([pid, started]) => startTime(pid) === started);
  expect(alive).toEqual([]);
  return code;
}

afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (groupAlive(run.child.pid!)) {
      process.kill(-run.child.pid!, 'SIGKILL');
      await run.exited;
    }
    for (const [pid, started] of run.podProcesses) if (startTime(pid) === started) process.kill(-pid, 'SIGKILL');
    rmSync(run.dir, { recursive: true, force: true });
  }
}, 30_000);

describe('npm start', () => {
  it('runs the WordCount StreamJob in the sandbox until its first checkpoint, shows it, and tears everything down', async () => {
    const run = npmStart('demo-checkpoint', ['--until-checkpoint']);
    const code = await expectNothingLeft(run);
    const lines = run.output().split('\n');
    expect(code).toBe(0);
    expect(lines).toEqual(
      expect.arrayContaining([
        `  export KUBECONFIG=${run.dir}/controlplane/admin.kubeconfig`,
        'helm: release sluice installed in namespace sluice-system',
        'secret/minio-creds created',
        'streamjob.sluice.dev/wordcount created',
      ]),
    );
    expect(lines.some((l) => /^wordcount\s+Running\s+2\s+\d+\s+0\s+\d+s$/.test(l))).toBe(true);
    for (const pod of ['wordcount-jobmanager', 'wordcount-taskmanager-0', 'wordcount-taskmanager-1']) {
      expect(lines.some((l) => new RegExp(`^${pod}\\s+1/1\\s+Running\\s+0\\s+`).test(l))).toBe(true);
    }
    expect(lines.some((l) => /^ {2}[12]> \["[a-z]+",\d+\]$/.test(l))).toBe(true);
    const end = lines.filter(Boolean).slice(-3);
    expect(end[0]).toMatch(/^wordcount is Running; checkpoint \d+ completed$/);
    expect(end.slice(1)).toEqual(['stopping the sandbox and every pod process ...', 'stopped']);
  }, 180_000); // about 30 s alone; headroom for a full, parallel test run on 2 cores

  it('tears everything down on Ctrl-C while the job runs', async () => {
    const run = npmStart('demo-ctrl-c', []);
    await waitUntil(() => /^wordcount\s+Running\s/m.test(run.output()), 'the job Running', 150_000, 100);
    process.kill(-run.child.pid!, 'SIGINT');
    // npm itself ends by the signal, as any foreground job does on Ctrl-C; what ran under it reports its teardown
    await expectNothingLeft(run);
    expect(run.output().split('\n').filter(Boolean).slice(-2)).toEqual(['stopping the sandbox and every pod process ...', 'stopped']);
  }, 180_000);
});
