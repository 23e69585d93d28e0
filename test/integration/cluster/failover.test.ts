import { describe, expect, it } from '@jest/globals';
import type { JobDetails } from '../../../runtime/rest/rest-types.ts';
import { freePort } from '../../support/free-port.ts';
import { waitFor, waitForLog } from '../../support/processes.ts';
import { allRunning, Cluster } from './cluster-fixture.ts';
import { inProcessLines, publishedLines } from './parts.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const WINDOWS = 'test/integration/cluster/jobs/windows-file.ts';
const tempDir = tempDirs('sluice-failover-');

const sourceRecordsOut = (d: JobDetails) => d.vertices[0]!.subtasks.reduce((a, s) => a + s.recordsOut, 0);

describe('failure detection and restart', () => {
  it('restarts the job after a TaskManager is SIGKILLed, and the restarted job gives the exact output', async () => {
    const out = tempDir();
    const args = [out, '24000', '4000'];
    const cluster = new Cluster({
      entry: WINDOWS,
      args,
      parallelism: 2,
      taskManagers: 2,
      config: { restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '1s' } },
    });
    try {
      await cluster.start();
      await cluster.waitForDetails('all subtasks running and records flowing', (d) => allRunning(d) && sourceRecordsOut(d) > 1000);
      const killedAt = Date.now();
      cluster.taskManagers[1]!.child.kill('SIGKILL');
      const restarting = await cluster.waitForDetails('RESTARTING after the kill', (d) => d.state === 'RESTARTING', 5000);
      expect(restarting.restarts).toBe(1);
      expect(restarting.attempt).toBe(1);
      // Whichever comes first, the lost RPC connection or a peer subtask's lost data-plane connection,
      // fails the job over; the history records the TaskManager's loss either way.
      const history = await waitFor('the lost TaskManager in the exception history', async () => {
        const { history: h } = await cluster.exceptions();
        return h.some((e) => /^TaskManager tm-1 \(127\.0\.0\.1:\d+\) disconnected/.test(e.message) && e.taskManagerId === 'tm-1') ? h : undefined;
      }, 5000);
      expect(history.at(-1)!.timestamp - killedAt).toBeLessThan(3000);

      cluster.startTaskManager('tm-1');
      const running = await cluster.waitForDetails('attempt 2 running', (d) => d.attempt === 2 && d.state === 'RUNNING');
      expect(running.restarts).toBe(1);
      const done = await cluster.waitForState('FINISHED');
      expect(done.attempt).toBe(2);
      expect(done.restarts).toBe(1);
      const expectedDir = tempDir();
      expect(publishedLines(out)).toEqual(await inProcessLines(WINDOWS, [expectedDir, '24000'], 2, expectedDir));
      expect(publishedLines(out).length).toBe(7 * 24);
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('detects a TaskManager that stops heartbeating (SIGSTOP); restart strategy "none" fails the job with the reason', async () => {
    const cluster = new Cluster({
      entry: WINDOWS,
      args: [tempDir(), '1000000', '2000'],
      parallelism: 2,
      taskManagers: 2,
      config: { restartStrategy: { type: 'none' } },
    });
    try {
      await cluster.start();
      await cluster.waitForDetails('all subtasks running', allRunning);
      const stoppedAt = Date.now();
      cluster.taskManagers[1]!.child.kill('SIGSTOP');
      const failed = await cluster.waitForState('FAILED', 8000);
      expect(failed.restarts).toBe(0);
      // heartbeat.timeout is 2s, checked every 200ms.
      expect(failed.endTime! - stoppedAt).toBeGreaterThanOrEqual(1900);
      expect(failed.endTime! - stoppedAt).toBeLessThan(4500);
      const { rootException } = await cluster.exceptions();
      expect(rootException?.message).toMatch(/^TaskManager tm-1 \(127\.0\.0\.1:\d+\) missed heartbeats for 2000 ms \(restart strategy "none" does not restart\)$/);
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('TaskManagers re-register with a restarted JobManager, which runs the job again to the exact output', async () => {
    const out = tempDir();
    const rpcPort = await freePort();
    const cluster = new Cluster({
      entry: WINDOWS,
      args: [out, '20000', '4000'],
      parallelism: 2,
      taskManagers: 2,
      config: { jobmanager: { address: '127.0.0.1', bindAddress: '127.0.0.1', rpcPort, restPort: 0 } },
    });
    try {
      await cluster.start();
      await cluster.waitForDetails('all subtasks running', allRunning);
      const first = cluster.jobManager;
      first.child.kill('SIGKILL');
      await first.exited;
      await cluster.startJobManager();
      const done = await cluster.waitForState('FINISHED');
      expect(done.attempt).toBe(1);
      expect(done.taskManagers.registered).toBe(2);
      for (const tm of cluster.taskManagers) await waitForLog(tm, (e) => typeof e.msg === 'string' && e.msg.startsWith('lost the JobManager'));
      const expectedDir = tempDir();
      expect(publishedLines(out)).toEqual(await inProcessLines(WINDOWS, [expectedDir, '20000'], 2, expectedDir));
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
