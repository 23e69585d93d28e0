import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { TEXT } from '../../../examples/wordcount.ts';
import { committedLines, expectedLines } from '../checkpoint/job-fixture.ts';
import { ProcessGroup, waitFor } from '../../support/processes.ts';

const group = new ProcessGroup();
const dir = mkdtempSync(join(tmpdir(), 'sluice-local-cluster-'));
/** Cluster processes (grandchildren) seen in the logs: killed at the end should a test fail before they exit. */
const grandchildren = new Set<number>();
afterAll(async () => {
  await group.stopAll();
  for (const pid of grandchildren) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The JSON log lines of one cluster process (prefixed `[name] ` by `sluice run`). */
const logsOf = (run: { stderr: readonly string[] }, name: string): Array<Record<string, unknown>> =>
  run.stderr.flatMap((line) => (line.startsWith(`[${name}] {`) ? [JSON.parse(line.slice(name.length + 3)) as Record<string, unknown>] : []));

/** Pids of the cluster processes, from their prefixed JSON log lines. */
const childPids = (stderr: readonly string[]): Map<string, number> => {
  const pids = new Map<string, number>();
  for (const line of stderr) {
    const m = /^\[(jobmanager|taskmanager-\d+)\] (\{.*\})$/.exec(line);
    if (m) pids.set(m[1]!, (JSON.parse(m[2]!) as { pid: number }).pid);
  }
  for (const pid of pids.values()) grandchildren.add(pid);
  return pids;
};

describe('sluice run --taskmanagers N', () => {
  it('runs WordCount on a JobManager and 2 TaskManager processes and prints the exact counts and result', async () => {
    const run = group.sluice('run', ['run', 'examples/wordcount.ts', '--taskmanagers', '2', '--parallelism', '2']);
    expect(await run.exited).toBe(0);
    const expected = new Map<string, number>();
    for (const line of TEXT) for (const w of line.toLowerCase().split(/\W+/)) if (w) expected.set(w, (expected.get(w) ?? 0) + 1);
    const finals = new Map<string, number>();
    for (const line of run.stdout) {
      const [word, count] = JSON.parse(line.replace(/^\d+> /, '')) as [string, number];
      expect(count).toBe((finals.get(word) ?? 0) + 1);
      finals.set(word, count);
    }
    expect(finals).toEqual(expected);
    const result = run.stderr.map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg: string; operators?: unknown }) : null)).find((l) => l?.msg === 'job result');
    const words = [...expected.values()].reduce((a, b) => a + b, 0);
    expect(result?.operators).toEqual([
      { name: 'Source: Text', recordsIn: 0, recordsOut: TEXT.length },
      { name: 'Tokenizer', recordsIn: TEXT.length, recordsOut: words },
      { name: 'Counts', recordsIn: words, recordsOut: words },
      { name: 'Print to Std. Out', recordsIn: words, recordsOut: 0 },
    ]);
    expect([...childPids(run.stderr).keys()].sort()).toEqual(['jobmanager', 'taskmanager-0', 'taskmanager-1']);
    expect([...childPids(run.stderr).values()].filter(alive)).toEqual([]);
  }, 120_000);

  it('exits 1 with the job failure when the job module throws, and stops its children', async () => {
    const run = group.sluice('run-throws', ['run', 'test/integration/cluster/jobs/throws.ts', '--taskmanagers', '2']);
    expect(await run.exited).toBe(1);
    expect(run.stderr).toContain(`sluice: job throws FAILED: job module "${resolve('test/integration/cluster/jobs/throws.ts')}" failed while building the pipeline: no pipeline today`);
    expect([...childPids(run.stderr).values()].filter(alive)).toEqual([]);
  }, 120_000);

  it('leaves no child process behind when the parent is SIGKILLed', async () => {
    const run = group.sluice('run-killed', ['run', 'test/integration/cluster/jobs/windows-file.ts', '--taskmanagers', '2', '--parallelism', '2', '--', join(dir, 'out'), '1000000', '1000']);
    const pids = await waitFor('every cluster process logging', () => {
      const p = childPids(run.stderr);
      return p.size === 3 && run.stderr.some((l) => l.includes('"subtask deployed"')) ? p : undefined;
    }, 60_000);
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    // Each child notices its IPC channel closing and stops (at most a 4 s grace period); the machine may be loaded.
    await waitFor('the cluster processes to exit', () => ([...pids.values()].some(alive) ? undefined : true), 30_000);
  }, 120_000);

  it.each(['taskmanager-0', 'jobmanager'])('heals like a cluster: %s SIGKILLed during an exactly-once job is started again, the job restores its newest checkpoint, output exact', async (victimName) => {
    const total = 12_000;
    const output = join(dir, `healed-${victimName}`);
    const run = group.sluice(`run-healing-${victimName}`, [
      'run', 'test/integration/cli/jobs/checkpointed-counting.ts', '--name', 'counting', '--taskmanagers', '2', '--parallelism', '2',
      '--checkpoint-dir', join(dir, `checkpoints-${victimName}`), '--', output, String(total), '3000', '200',
    ]);
    const victim = await waitFor(`two checkpoints completed and the pid of ${victimName}`, () => {
      const completed = logsOf(run, 'jobmanager').filter((e) => e.msg === 'checkpoint completed').length;
      return completed >= 2 ? childPids(run.stderr).get(victimName) : undefined;
    }, 60_000);
    process.kill(victim, 'SIGKILL');
    expect(await run.exited).toBe(0);
    expect(committedLines(output)).toEqual(expectedLines(total));
    const parent = run.stderr.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Record<string, unknown>] : []));
    expect(parent.filter((e) => e.level === 40).map((e) => e.msg)).toEqual([`${victimName} exited (SIGKILL) before the job ended; starting it again`]);
    // Two processes logged under the victim's name: the one killed and the one started in its place.
    const pids = new Set(logsOf(run, victimName).map((e) => e.pid as number));
    expect(pids.size).toBe(2);
    const restored = logsOf(run, 'jobmanager').filter((e) => e.msg === 'restoring from checkpoint');
    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ origin: 'own-run' });
    expect([...pids].filter(alive)).toEqual([]);
  }, 120_000);
});
