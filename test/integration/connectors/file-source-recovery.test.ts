import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from '../../../runtime/api/index.ts';
import { startCheckpointedLocalJob } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { FilesystemObjectStore } from '../../../runtime/fs/filesystem-object-store.ts';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { waitFor, waitUntil } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines, expectedLines } from '../checkpoint/job-fixture.ts';
import rescalableCounting from '../checkpoint/jobs/rescalable-counting.ts';

const JOB = 'test/integration/checkpoint/jobs/rescalable-counting.ts';
const tempDir = tempDirs('sluice-file-source-recovery-');

/** One file of the numbers 0..total-1, a line each: what the counting job reads. */
function numbersFile(total: number): string {
  const path = join(tempDir(), 'numbers.txt');
  writeFileSync(path, Array.from({ length: total }, (_, n) => `${n}\n`).join(''));
  return path;
}

describe('a file source job that fails or is rescaled', () => {
  it('a TaskManager SIGKILLed while 2 readers share one file: restarted from the checkpoint, the committed output is exact', async () => {
    const total = 600_000;
    const file = numbersFile(total);
    const out = tempDir();
    // 600,000 lines (3.9 MB): 256 KiB splits make 15 of them, handed to both readers as they ask, each
    // read at 50,000 lines a second: the job runs 6 s. (A slower throttle, which blocks the event loop
    // for a whole burst of records, would hold the checkpoint barriers back as long.)
    const cluster = new Cluster({
      entry: JOB,
      args: [out, 'file', file, '50000', String(256 * 1024)],
      parallelism: 2,
      taskManagers: 2,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(tempDir(), 'checkpoints') } } },
      },
    });
    try {
      await cluster.start();
      const running = await cluster.waitForDetails('all subtasks running', allRunning);
      // The TaskManager running source subtask 0 (the one that holds the enumerator's state in checkpoints).
      const host = running.vertices[0]!.subtasks[0]!.taskManagerId!;
      // Committed lines mean a completed checkpoint after the readers had read them.
      await waitFor('a checkpoint that committed lines', () => (committedLines(out).length > 0 ? true : undefined), 60_000, 20);
      expect((await cluster.details()).vertices[0]!.subtasks.map((s) => s.status)).toEqual(['RUNNING', 'RUNNING']);
      expect(committedLines(out).length).toBeLessThan(total);
      await cluster.replaceTaskManager(Number(host.slice('tm-'.length)), `${host}-again`);
      const done = await cluster.waitForState('FINISHED', 60_000);
      expect(done.restarts).toBe(1);
      const stats = await cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
      expect(stats.counts.restored).toBe(1);
      expect(committedLines(out)).toEqual(expectedLines(total));
    } finally {
      await cluster.stop();
    }
  }, 120_000);

  it('stopped with a savepoint at parallelism 2, resumed at 4, stopped again, resumed at 1: no line lost or counted twice', async () => {
    const total = 30_000;
    const file = numbersFile(total);
    const out = tempDir();
    const storage = new FilesystemObjectStore(join(tempDir(), 'checkpoints'));
    const graph = (parallelism: number, recordsPerSecond: number) => {
      const env = new StreamExecutionEnvironment().setParallelism(parallelism);
      rescalableCounting(env, [out, 'file', file, String(recordsPerSecond), String(8 * 1024)]);
      return env.getJobGraph('rescale');
    };
    const options = (jobId: string, restoreFrom?: string) => ({ storage, scope: { namespace: 'default', jobName: 'rescale' }, jobId, interval: 200, restoreFrom, executor: { sourceBurst: 50 } });
    /** Runs until the sources read `read` lines in this run, then stops with a savepoint: its path. */
    const runAndStop = async (parallelism: number, jobId: string, read: number, restoreFrom?: string) => {
      // 4,000 lines a second in all: the throttle blocks the thread, and the test looks between bursts.
      const run = await startCheckpointedLocalJob(graph(parallelism, 4000 / parallelism), options(jobId, restoreFrom));
      const emitted = () => run.job.tasks.filter((t) => t.vertex.isSource).reduce((sum, t) => sum + t.metrics()[0]!.recordsOut, 0);
      await waitUntil(() => emitted() >= read, `${read} lines read at parallelism ${parallelism}`);
      const savepoint = await run.stopWithSavepoint();
      await run.result;
      return savepoint.path;
    };
    try {
      const first = await runAndStop(2, 'run-1', 5000);
      const second = await runAndStop(4, 'run-2', 8000, first);
      expect(committedLines(out).length).toBeLessThan(total);
      const last = await startCheckpointedLocalJob(graph(1, 1_000_000), options('run-3', second));
      expect(last.restored).toMatchObject({ origin: 'restore-from', path: second });
      await last.result;
      expect(committedLines(out)).toEqual(expectedLines(total));
    } finally {
      await storage.close();
    }
  }, 60_000);
});
