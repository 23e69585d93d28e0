import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { JobDetails } from '../../../runtime/rest/rest-types.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { killTaskManagerMidRun, rescaleFromSavepoint } from './failover-scenarios.ts';
import { committedLines } from './job-fixture.ts';
import { expectedJoin } from './jobs/enriched-window-join.ts';

const tempDir = tempDirs('sluice-broadcast-window-join-');
const job = () => ({ entry: 'test/integration/checkpoint/jobs/enriched-window-join.ts', storage: join(tempDir(), 'checkpoints') });

const vertex = (d: JobDetails, prefix: string) => d.vertices.find((v) => v.name.startsWith(prefix))!;
/** The rules (a bounded source of seven records) have ended, everything else runs, and the window join took `n` records. */
const windowJoinTook = (n: number) => (d: JobDetails) =>
  d.state === 'RUNNING' &&
  d.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING' || (v.name === 'Rules' && s.status === 'ENDED'))) &&
  vertex(d, 'Window').subtasks.reduce((sum, s) => sum + s.recordsIn, 0) >= n;

/**
 * Broadcast state, a window join and a keyed co-process across JobManager and TaskManager
 * processes: orders enriched from broadcast rules (read once at the start), then window-joined with
 * payments; beside it each user's orders and payments counted in keyed state shared by both inputs.
 * After a restore the rules' source reads nothing again, so every tier in the output comes from the
 * broadcast state in storage; the window join's buffered records and the counts from keyed state.
 */
describe('broadcast state, a window join and a keyed co-process across processes', () => {
  it('a TaskManager SIGKILLed mid-run: restored from the checkpoint, the committed pairs are exact and carry the broadcast rules', async () => {
    const out = tempDir();
    const done = await killTaskManagerMidRun(job(), [out, '4000', '1000'], windowJoinTook(1500));
    // The restored rules' source had no record left to read: the tiers came from the checkpoint.
    expect(vertex(done, 'Rules').subtasks.map((s) => s.recordsOut)).toEqual([0]);
    const expected = expectedJoin(4000);
    expect(expected.length).toBe(14_400 + 7);
    expect(committedLines(out)).toEqual(expected);
  }, 120_000);

  it('stopped with a savepoint at parallelism 2, a new run from it at parallelism 3: every subtask has the rules, the pairs of an uninterrupted run', async () => {
    const out = tempDir();
    const total = 3000;
    // The first run would take 30 s: a loaded machine still stops it with a savepoint long before its end.
    const done = await rescaleFromSavepoint(job(), { first: [out, String(total), '100'], second: [out, String(total), '20000'] }, windowJoinTook(300), () =>
      expect(committedLines(out).length).toBeLessThan(expectedJoin(total).length),
    );
    expect([vertex(done, 'Keyed Broadcast Process').parallelism, vertex(done, 'Keyed Co-Process').parallelism]).toEqual([3, 3]);
    expect(vertex(done, 'Rules').subtasks.map((s) => s.recordsOut)).toEqual([0]);
    expect(committedLines(out)).toEqual(expectedJoin(total));
  }, 120_000);
});
