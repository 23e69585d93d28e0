import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { waitFor } from '../../support/processes.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines, expectedLines } from './job-fixture.ts';

const JOB = 'test/integration/checkpoint/jobs/rescalable-counting.ts';
const dir = mkdtempSync(join(tmpdir(), 'sluice-rescale-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('a job restored at another parallelism across JobManager and TaskManager processes', () => {
  it('generator source checkpointed at parallelism 2, every process SIGKILLed, restarted at 3: the output of an uninterrupted run', async () => {
    const out = join(dir, 'out');
    const total = 20_000;
    const cluster = (parallelism: number, recordsPerSecond: number) =>
      new Cluster({
        entry: JOB,
        args: [out, 'generator', String(total), String(recordsPerSecond)],
        parallelism,
        // One TaskManager process with a slot per subtask: fewer processes to start.
        taskManagers: 1,
        config: {
          taskmanager: { bindAddress: '127.0.0.1', dataPort: 0, slots: parallelism },
          checkpointing: { interval: '200ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(dir, 'checkpoints') } } },
        },
      });
    const first = cluster(2, 4000);
    try {
      await first.start();
      const running = await first.waitForDetails('all subtasks running', allRunning);
      const source = running.vertices.find((v) => v.name.startsWith('Numbers'))!.id;
      await first.waitForDetails('3,000 numbers read', (d) => d.vertices.find((v) => v.id === source)!.subtasks.reduce((n, s) => n + s.recordsOut, 0) >= 3000);
      const readAt = Date.now();
      await waitFor('a checkpoint triggered after them', async () => {
        const stats = await first.get<CheckpointingStatistics>(`/jobs/${first.jobId}/checkpoints`);
        return (stats.latest.completed?.triggerTimestamp ?? 0) >= readAt ? true : undefined;
      });
      for (const p of [first.jobManager, ...first.taskManagers]) p.child.kill('SIGKILL');
      await Promise.all([first.jobManager, ...first.taskManagers].map((p) => p.exited));
    } finally {
      await first.stop();
    }
    expect(committedLines(out).length).toBeLessThan(total);

    // Same run, new configuration: the new JobManager finds the run's newest checkpoint and deploys 3 source subtasks.
    const second = cluster(3, 40_000);
    try {
      await second.start();
      const done = await second.waitForState('FINISHED', 60_000);
      expect(done.vertices.map((v) => v.parallelism)).toEqual([3, 3]);
      const stats = await second.get<CheckpointingStatistics>(`/jobs/${second.jobId}/checkpoints`);
      expect(stats.latest.restored?.externalPath).toMatch(/\/default\/test-job\/test-job\/checkpoints\/chk-\d+$/);
      expect(committedLines(out)).toEqual(expectedLines(total));
    } finally {
      await second.stop();
    }
  }, 120_000);
});
