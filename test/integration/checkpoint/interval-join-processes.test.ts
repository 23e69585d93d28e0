import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { waitFor } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines } from './job-fixture.ts';
import { expectedJoin } from './jobs/interval-join.ts';
import { testRunKeyFile } from '../../support/run-key.ts';

const JOB = 'test/integration/checkpoint/jobs/interval-join.ts';
const tempDir = tempDirs('sluice-interval-join-');

const checkpointing = (storage: string, interval: string) => ({
  checkpointing: { interval, mode: 'exactly-once' as const, timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: storage } } },
});

describe('an interval join across JobManager and TaskManager processes', () => {
  it('a TaskManager SIGKILLed while both sides are buffered: restored from the checkpoint, the committed pairs are exact', async () => {
    const out = tempDir();
    const total = 6000;
    const cluster = new Cluster({
      entry: JOB,
      args: [out, String(total), '1500'],
      parallelism: 2,
      taskManagers: 2,
      config: { restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '200ms' }, ...checkpointing(join(tempDir(), 'checkpoints'), '300ms') },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    try {
      await cluster.start();
      const running = await cluster.waitForDetails('all subtasks running', allRunning);
      const joinVertex = running.vertices.find((v) => v.name.startsWith('Interval Join'))!;
      // Both inputs of the join are remote for half their channels: the two TaskManagers each run a source subtask of each side.
      await cluster.waitForDetails('3,000 records joined', (d) => d.vertices.find((v) => v.id === joinVertex.id)!.subtasks.reduce((n, s) => n + s.recordsIn, 0) >= 3000);
      const before = (await checkpoints()).counts.completed;
      await waitFor('a checkpoint with pairs in it', async () => ((await checkpoints()).counts.completed > before) || undefined);
      await cluster.replaceTaskManager(1, 'tm-1-again');
      const done = await cluster.waitForState('FINISHED', 60_000);
      expect(done.restarts).toBe(1);
      expect((await checkpoints()).counts.restored).toBe(1);
      const expected = expectedJoin(total);
      expect(expected.length).toBe(18_000);
      expect(committedLines(out)).toEqual(expected);
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('stopped with a savepoint at parallelism 2, a new run from it at parallelism 3: the pairs of an uninterrupted run', async () => {
    const out = tempDir();
    const total = 3000;
    const storage = join(tempDir(), 'checkpoints');
    const first = new Cluster({ entry: JOB, args: [out, String(total), '300'], parallelism: 2, taskManagers: 1, config: { taskmanager: { bindAddress: '127.0.0.1', dataPort: 0, slots: 2 }, ...checkpointing(storage, '1h') } });
    let location: string;
    try {
      await first.start();
      await first.waitForDetails('1,000 records joined', (d) => allRunning(d) && d.vertices.find((v) => v.name.startsWith('Interval Join'))!.subtasks.reduce((n, s) => n + s.recordsIn, 0) >= 1000);
      location = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['runtime/cli/bin.js', 'savepoint', `http://127.0.0.1:${first.restPort}`, '--stop', '--run-key-file', testRunKeyFile()], (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
        ),
      );
      await first.waitForState('FINISHED');
    } finally {
      await first.stop();
    }
    expect(committedLines(out).length).toBeLessThan(9000);
    const second = new Cluster({ entry: JOB, jobId: 'run-2', args: [out, String(total), '20000'], parallelism: 3, taskManagers: 1, config: { taskmanager: { bindAddress: '127.0.0.1', dataPort: 0, slots: 3 }, ...checkpointing(storage, '1h') } });
    process.env.SLUICE_JOB__RESTORE_FROM = location;
    try {
      await second.start();
      const done = await second.waitForState('FINISHED', 60_000);
      expect(done.vertices.find((v) => v.name.startsWith('Interval Join'))!.parallelism).toBe(3);
      const stats = await second.get<CheckpointingStatistics>(`/jobs/${second.jobId}/checkpoints`);
      expect(stats.latest.restored).toMatchObject({ isSavepoint: true, externalPath: location });
      expect(committedLines(out)).toEqual(expectedJoin(total));
    } finally {
      delete process.env.SLUICE_JOB__RESTORE_FROM;
      await second.stop();
    }
  }, 120_000);
});
