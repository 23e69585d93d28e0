import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { committedLines, expectedLines } from '../checkpoint/job-fixture.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { Cluster } from './cluster-fixture.ts';

const tempDir = tempDirs('sluice-checkpointing-settings-');

describe('checkpointing settings in a cluster', () => {
  it("the job's env.enableCheckpointing interval wins over the configuration's, which keeps storage and retention; the finished run is marked in storage", async () => {
    const total = 6000;
    const output = join(tempDir(), 'out');
    const storage = tempDir();
    const cluster = new Cluster({
      entry: 'test/integration/cli/jobs/checkpointed-counting.ts',
      args: [output, String(total), '3000', '200'],
      parallelism: 2,
      taskManagers: 2,
      // An interval the job would never reach: the job's 200 ms wins (its mode too: checkpointing-settings unit test).
      config: { checkpointing: { interval: '1h', mode: 'at-least-once', timeout: '10s', minPause: '0ms', retained: 2, storage: { filesystem: { path: storage } } } },
    });
    let stats: CheckpointingStatistics;
    try {
      await cluster.start();
      await cluster.waitForState('FINISHED');
      stats = await cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    } finally {
      // The JobManager finishes writing the run's job-result.json before it exits.
      await cluster.stop();
    }
    expect(stats.counts.completed).toBeGreaterThanOrEqual(3);
    expect(stats.counts.failed).toBe(0);
    expect(committedLines(output)).toEqual(expectedLines(total));
    const run = join(storage, 'default', cluster.jobId, cluster.jobId);
    const completed = readdirSync(join(run, 'checkpoints')).filter((d) => existsSync(join(run, 'checkpoints', d, '_metadata')));
    expect(completed).toHaveLength(2);
    expect(existsSync(join(run, 'job-result.json'))).toBe(true);
  }, 90_000);
});
