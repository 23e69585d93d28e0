import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { committedLines, expectedLines } from '../checkpoint/job-fixture.ts';
import { ProcessGroup, waitForLog, type TrackedProcess } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const JOB = 'test/integration/cli/jobs/checkpointed-counting.ts';
const group = new ProcessGroup();
const tempDir = tempDirs('sluice-run-runs-');
afterAll(() => group.stopAll());

/** The JSON log lines of a process. */
const logs = (p: TrackedProcess): Array<Record<string, unknown>> =>
  p.stderr.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
/** How `sluice run` chose its run: [job id, reason]. */
const runChoice = (p: TrackedProcess): [unknown, unknown] | undefined => {
  const entry = logs(p).find((e) => e.reason !== undefined && e.jobId !== undefined);
  return entry && [entry.jobId, entry.reason];
};
const restoredFrom = (p: TrackedProcess) => logs(p).find((e) => e.msg === 'restoring from checkpoint');

describe('sluice run of a job that calls env.enableCheckpointing, in one process', () => {
  const total = 3000;
  const run = (name: string, output: string, checkpoints: string, ...flags: string[]) =>
    group.sluice(name, ['run', JOB, '--name', 'counting', '--checkpoint-dir', checkpoints, ...flags, '--', output, String(total), '3000', '200']);

  it('checkpoints to --checkpoint-dir, and a finished run is not resumed: the same output directory gets the output again, another one all of it', async () => {
    const checkpoints = tempDir();
    const [same, other] = [join(tempDir(), 'out'), join(tempDir(), 'out')];
    const first = run('first', same, checkpoints);
    expect(await first.exited).toBe(0);
    expect(runChoice(first)).toEqual(['counting', 'first']);
    expect(logs(first).filter((e) => e.msg === 'checkpoint completed').length).toBeGreaterThan(0);
    expect(committedLines(same)).toEqual(expectedLines(total));
    expect(existsSync(join(checkpoints, 'default/counting/counting/job-result.json'))).toBe(true);

    // Before: the second run restored the first one's final checkpoint and wrote nothing.
    const again = run('again', same, checkpoints);
    expect(await again.exited).toBe(0);
    expect(runChoice(again)).toEqual(['counting-2', 'new']);
    expect(restoredFrom(again)).toBeUndefined();
    expect(committedLines(same)).toEqual([...expectedLines(total), ...expectedLines(total)].sort());

    // Before: it failed with "cannot commit part file <other>/part-...: ENOENT", re-committing the first run's parts there.
    const elsewhere = run('elsewhere', other, checkpoints);
    expect(await elsewhere.exited).toBe(0);
    expect(runChoice(elsewhere)).toEqual(['counting-3', 'new']);
    expect(committedLines(other)).toEqual(expectedLines(total));
  }, 90_000);

  it('--resume after a finished run restores its final checkpoint in a new run: its transactions commit again where they were written, idempotently', async () => {
    const checkpoints = tempDir();
    const [first, other] = [join(tempDir(), 'out'), join(tempDir(), 'out')];
    expect(await run('done', first, checkpoints).exited).toBe(0);
    const published = readdirSync(first).sort();
    const resumed = run('resumed', other, checkpoints, '--resume');
    expect(await resumed.exited).toBe(0);
    expect(runChoice(resumed)).toEqual(['counting-2', 'resume-finished']);
    expect(restoredFrom(resumed)).toMatchObject({ origin: 'restore-from' });
    // The sources had ended: nothing new; the first run's parts stay where they are, once each.
    expect(readdirSync(first).sort()).toEqual(published);
    expect(committedLines(first)).toEqual(expectedLines(total));
    expect(existsSync(other) ? committedLines(other) : []).toEqual([]);
  }, 90_000);

  it('an interrupted run (SIGKILL) resumes from its own newest checkpoint when started again, output exact', async () => {
    const checkpoints = tempDir();
    const output = join(tempDir(), 'out');
    const killed = group.sluice('killed', ['run', JOB, '--name', 'counting', '--checkpoint-dir', checkpoints, '--', output, '12000', '3000', '200']);
    await waitForLog(killed, (e) => e.msg === 'checkpoint completed' && (e.checkpointId as number) >= 2);
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toBe('SIGKILL');
    const resumed = group.sluice('resumed-after-kill', ['run', JOB, '--name', 'counting', '--checkpoint-dir', checkpoints, '--', output, '12000', '3000', '200']);
    expect(await resumed.exited).toBe(0);
    expect(runChoice(resumed)).toEqual(['counting', 'resume']);
    expect(restoredFrom(resumed)).toMatchObject({ origin: 'own-run' });
    expect((restoredFrom(resumed)!.checkpointId as number)).toBeGreaterThanOrEqual(2);
    expect(committedLines(output)).toEqual(expectedLines(12000));
  }, 90_000);
});
