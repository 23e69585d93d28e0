import { describe, expect, it } from '@jest/globals';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { startS3Server } from '../../../sandbox/s3/server.ts';
import { freePort } from '../../support/free-port.ts';
import { waitFor } from '../../support/processes.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines, expectedLines } from './job-fixture.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const JOB = 'test/integration/checkpoint/jobs/counting-exactly-once.ts';
const tempDir = tempDirs('sluice-eo-processes-');


describe('exactly-once across JobManager and TaskManager processes', () => {
  // Issue 4: TaskManagers SIGKILLed at random moments several times and the JobManager SIGKILLed and
  // restarted once, with checkpoints in a directory and in S3: nothing lost, nothing twice.
  it.each(['filesystem', 's3'] as const)('%s storage: TaskManagers SIGKILLed three times at random moments, the JobManager once: the committed output is exact', async (storageKind) => {
    const out = tempDir();
    const total = 40_000;
    const s3 = storageKind === 's3' ? await startS3Server({ directory: tempDir(), buckets: ['checkpoints'] }) : undefined;
    // The processes find S3 credentials in a mounted Secret's directory, as in a pod.
    const credentialsDirectory = tempDir();
    if (s3) {
      writeFileSync(join(credentialsDirectory, 'accessKeyId'), s3.accessKeyId);
      writeFileSync(join(credentialsDirectory, 'secretAccessKey'), s3.secretAccessKey);
    }
    const storage = s3 ? { s3: { bucket: 'checkpoints', prefix: 'e2e', endpoint: s3.endpoint, credentialsDirectory } } : { filesystem: { path: join(tempDir(), 'checkpoints') } };
    // Fixed ports, so TaskManagers and the test find the restarted JobManager.
    const [rpcPort, restPort] = [await freePort(), await freePort()];
    const cluster = new Cluster({
      entry: JOB,
      args: [out, String(total), '5000'],
      parallelism: 2,
      taskManagers: 2,
      config: {
        jobmanager: { address: '127.0.0.1', bindAddress: '127.0.0.1', rpcPort, restPort },
        restartStrategy: { type: 'fixed-delay', attempts: 10, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    const checkpointRoot = s3 ? 's3://checkpoints/e2e/default/test-job/test-job/checkpoints/chk-' : `file://${storage.filesystem!.path}/default/test-job/test-job/checkpoints/chk-`;
    try {
      await cluster.start();
      // TaskManager, JobManager, TaskManager, TaskManager: the JobManager dies after the job moved past its first attempt.
      for (const [fault, victim] of (['tm-0', 'jm', 'tm-1', 'tm-0'] as const).entries()) {
        await cluster.waitForDetails('all subtasks running', allRunning);
        const before = (await checkpoints()).counts.completed;
        // A new checkpoint of this attempt, then a random moment between checkpoints.
        await waitFor('a checkpoint of this attempt', async () => ((await checkpoints()).counts.completed > before) || undefined);
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        if (victim === 'jm') {
          await cluster.replaceJobManager('jobmanager-2');
          // The new JobManager finds the run's newest completed checkpoint by listing storage.
          await waitFor('a restore by the new JobManager', async () => ((await checkpoints().catch(() => undefined))?.latest.restored?.externalPath.startsWith(checkpointRoot) === true) || undefined);
          continue;
        }
        await cluster.replaceTaskManager(victim === 'tm-0' ? 0 : 1, `${victim}-${fault}`);
      }
      await cluster.waitForState('FINISHED', 90_000);
      const stats = await checkpoints();
      // The restarted JobManager restored once itself, then after each of the two later TaskManager kills.
      expect(stats.counts.restored).toBe(3);
      expect(stats.latest.restored?.externalPath.startsWith(checkpointRoot)).toBe(true);
      expect(committedLines(out)).toEqual(expectedLines(total));
    } finally {
      await cluster.stop();
      await s3?.stop();
    }
  }, 180_000);

  it('a TaskManager SIGKILLed after a sink subtask ENDED (the other still at end of input): restarted, the job finishes with the exact output', async () => {
    const out = tempDir();
    const total = 6000;
    const cluster = new Cluster({
      entry: 'test/integration/checkpoint/jobs/gated-counting.ts',
      args: [out, String(total), '6000'],
      parallelism: 2,
      taskManagers: 2,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(tempDir(), 'checkpoints') } } },
      },
    });
    try {
      await cluster.start();
      // Attempt 1: sink subtask 1 is held at end of input, so sink subtask 0 ends and waits for a final checkpoint that cannot come.
      const ended = await cluster.waitForDetails('a sink subtask ENDED', (d) => d.vertices.at(-1)!.subtasks.some((s) => s.status === 'ENDED'));
      const sinks = ended.vertices.at(-1)!.subtasks;
      expect(sinks.map((s) => s.status)).toEqual(['ENDED', 'RUNNING']);
      expect(ended.state).toBe('RUNNING');
      const host = sinks[0]!.taskManagerId!;
      await cluster.replaceTaskManager(Number(host.slice('tm-'.length)), `${host}-again`);
      const done = await cluster.waitForState('FINISHED', 60_000);
      expect(done.restarts).toBe(1);
      expect(committedLines(out)).toEqual(expectedLines(total));
      // The job finished through its final checkpoint, complete in storage.
      const stats = await cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
      expect(stats.latest.completed?.externalPath).toMatch(/\/checkpoints\/chk-\d+$/);
      expect(existsSync(join(new URL(stats.latest.completed!.externalPath!).pathname, '_metadata'))).toBe(true);
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('sluice savepoint --stop, then a new run from the savepoint: the result of an uninterrupted run', async () => {
    const out = tempDir();
    const total = 60_000;
    const storage = { filesystem: { path: join(tempDir(), 'checkpoints') } };
    const config = () => ({
      checkpointing: { interval: '1h', mode: 'exactly-once' as const, timeout: '10s', minPause: '0ms', retained: 3, storage },
    });
    const first = new Cluster({ entry: JOB, args: [out, String(total), '3000'], parallelism: 2, taskManagers: 2, config: config() });
    let location: string;
    try {
      await first.start();
      await first.waitForDetails('records flowing', (d) => allRunning(d) && d.vertices[0]!.subtasks.some((s) => s.recordsOut > 1000));
      location = await first.stopWithSavepoint();
      expect(location).toMatch(/\/default\/test-job\/savepoints\/sp-\d+$/);
      await first.waitForState('FINISHED');
    } finally {
      await first.stop();
    }
    const second = new Cluster({ entry: JOB, jobId: 'run-2', args: [out, String(total), '40000'], parallelism: 2, taskManagers: 2, config: config() });
    // A new run: its own folder holds nothing, so it starts from job.restoreFrom.
    process.env.SLUICE_JOB__RESTORE_FROM = location;
    try {
      await second.start();
      await second.waitForState('FINISHED', 60_000);
      const stats = await second.get<CheckpointingStatistics>(`/jobs/${second.jobId}/checkpoints`);
      expect(stats.latest.restored).toMatchObject({ isSavepoint: true, externalPath: location });
      expect(committedLines(out)).toEqual(expectedLines(total));
    } finally {
      delete process.env.SLUICE_JOB__RESTORE_FROM;
      await second.stop();
    }
  }, 150_000);
});
