import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { CheckpointingStatistics, JobDetails } from '../../../runtime/rest/rest-types.ts';
import { waitFor } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { rescaleFromSavepoint } from './failover-scenarios.ts';
import { committedLines } from './job-fixture.ts';
import { expectedAnswers } from './jobs/async-lookup.ts';

const tempDir = tempDirs('sluice-async-io-');

describe('async I/O across JobManager and TaskManager processes', () => {
  it('a TaskManager SIGKILLed with calls in flight: they are made again from the checkpoint, the committed answers are exact', async () => {
    const out = tempDir();
    const total = 6000;
    const cluster = new Cluster({
      entry: 'test/integration/checkpoint/jobs/async-lookup.ts',
      args: [out, String(total), '1500'],
      parallelism: 2,
      taskManagers: 2,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(tempDir(), 'checkpoints') } } },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    try {
      await cluster.start();
      await cluster.waitForDetails('all subtasks running', allRunning);
      await waitFor('1,000 answers committed', () => Promise.resolve(committedLines(out).length >= 1000 || undefined));
      const before = (await checkpoints()).counts.completed;
      await waitFor('a checkpoint after them', async () => ((await checkpoints()).counts.completed > before) || undefined);
      await cluster.replaceTaskManager(1, 'tm-1-again');
      const done = await cluster.waitForState('FINISHED', 60_000);
      expect(done.restarts).toBe(1);
      expect(committedLines(out)).toEqual(expectedAnswers(total));
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('stopped with a savepoint at parallelism 2, a new run from it at parallelism 3: the answers of an uninterrupted run', async () => {
    const out = tempDir();
    const total = 3000;
    const job = { entry: 'test/integration/checkpoint/jobs/async-lookup.ts', storage: join(tempDir(), 'checkpoints') };
    // The first run would take 30 s: a loaded machine still stops it with a savepoint long before its end.
    const sinkTook = (n: number) => (d: JobDetails) => allRunning(d) && d.vertices.find((v) => v.name.startsWith('Sink'))!.subtasks.reduce((sum, s) => sum + s.recordsIn, 0) >= n;
    const done = await rescaleFromSavepoint(job, { first: [out, String(total), '100'], second: [out, String(total), '20000'] }, sinkTook(300), () =>
      expect(committedLines(out).length).toBeLessThan(total),
    );
    expect(done.vertices.find((v) => v.name.includes('Async'))!.parallelism).toBe(3);
    expect(committedLines(out)).toEqual(expectedAnswers(total));
  }, 120_000);
});
