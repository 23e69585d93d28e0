import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { JobDetails } from '../../../runtime/rest/rest-types.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { allRunning } from '../cluster/cluster-fixture.ts';
import { killTaskManagerMidRun, rescaleFromSavepoint } from './failover-scenarios.ts';
import { committedLines } from './job-fixture.ts';
import { expectedJoin } from './jobs/interval-join.ts';

const tempDir = tempDirs('sluice-interval-join-');
const job = () => ({ entry: 'test/integration/checkpoint/jobs/interval-join.ts', storage: join(tempDir(), 'checkpoints') });

/** Every subtask runs and the interval join took `n` records. */
const joined = (n: number) => (d: JobDetails) => allRunning(d) && d.vertices.find((v) => v.name.startsWith('Interval Join'))!.subtasks.reduce((sum, s) => sum + s.recordsIn, 0) >= n;

describe('an interval join across JobManager and TaskManager processes', () => {
  it('a TaskManager SIGKILLed while both sides are buffered: restored from the checkpoint, the committed pairs are exact', async () => {
    const out = tempDir();
    // Both inputs of the join are remote for half their channels: the two TaskManagers each run a source subtask of each side.
    await killTaskManagerMidRun(job(), [out, '6000', '1500'], joined(3000));
    const expected = expectedJoin(6000);
    expect(expected.length).toBe(18_000);
    expect(committedLines(out)).toEqual(expected);
  }, 120_000);

  it('stopped with a savepoint at parallelism 2, a new run from it at parallelism 3: the pairs of an uninterrupted run', async () => {
    const out = tempDir();
    const total = 3000;
    // The first run would take 30 s: a loaded machine still stops it with a savepoint long before its end.
    const done = await rescaleFromSavepoint(job(), { first: [out, String(total), '100'], second: [out, String(total), '20000'] }, joined(300), () =>
      expect(committedLines(out).length).toBeLessThan(9000),
    );
    expect(done.vertices.find((v) => v.name.startsWith('Interval Join'))!.parallelism).toBe(3);
    expect(committedLines(out)).toEqual(expectedJoin(total));
  }, 120_000);
});
