import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointingStatistics, JobDetails } from '../../../runtime/cluster/rest-types.ts';
import { Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines, expectedLines } from './job-fixture.ts';

const JOB = 'test/integration/checkpoint-e2e/jobs/counting-exactly-once.ts';
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sluice-eo-processes-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const allRunning = (d: JobDetails) => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING'));

describe('exactly-once across JobManager and TaskManager processes', () => {
  it('TaskManagers SIGKILLed at random moments: the committed output is exact', async () => {
    const out = tempDir();
    const total = 30_000;
    const cluster = new Cluster({
      entry: JOB,
      args: [out, String(total), '5000'],
      parallelism: 2,
      taskManagers: 2,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 10, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(tempDir(), 'checkpoints') } } },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    try {
      await cluster.start();
      for (let kill = 0; kill < 3; kill++) {
        const before = (await checkpoints()).counts.completed;
        await cluster.waitForDetails('all subtasks running', allRunning);
        // A new checkpoint of this attempt, then a random moment between checkpoints.
        await waitUntil(async () => (await checkpoints()).counts.completed > before, 'a checkpoint of this attempt');
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        const victim = cluster.taskManagers[kill % 2]!;
        victim.child.kill('SIGKILL');
        await victim.exited;
        cluster.startTaskManager(`tm-${kill % 2}-${kill}`);
        cluster.taskManagers[kill % 2] = cluster.taskManagers.pop()!;
      }
      const done = await cluster.waitForState('FINISHED', 90_000);
      expect(done.restarts).toBe(3);
      const stats = await checkpoints();
      expect(stats.counts.restored).toBe(3);
      expect(stats.latest.restored?.externalPath).toMatch(/\/checkpoints\/default\/test-job\/test-job\/checkpoints\/chk-\d+$/);
      expect(committedLines(out)).toEqual(expectedLines(total));
    } finally {
      await cluster.stop();
    }
  }, 150_000);
});

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
