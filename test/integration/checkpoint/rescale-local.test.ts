import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from '../../../runtime/api/index.ts';
import { startCheckpointedLocalJob } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { FilesystemObjectStore } from '../../../runtime/fs/filesystem-object-store.ts';
import { committedLines, expectedLines } from './job-fixture.ts';
import rescalableCounting from './jobs/rescalable-counting.ts';
import { writeNumberFiles } from './rescale-fixture.ts';
import { waitUntil } from '../../support/processes.ts';

const scope = { namespace: 'default', jobName: 'rescale' };

describe('a job restored from a checkpoint at another parallelism, sources included, in one process', () => {
  let dir: string;
  let storage: FilesystemObjectStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-rescale-'));
    storage = new FilesystemObjectStore(join(dir, 'checkpoints'));
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Runs at `from` until a checkpoint completed after the sources read `checkpointAfter` records,
   * crashes, restores at `to` and runs to the end: the committed output.
   */
  async function rescale(kind: 'generator' | 'file', what: string, total: number, checkpointAfter: number, from: number, to: number): Promise<string[]> {
    const output = join(dir, 'out');
    const graph = (parallelism: number, recordsPerSecond: number) => {
      const env = new StreamExecutionEnvironment().setParallelism(parallelism);
      rescalableCounting(env, [output, kind, what, String(recordsPerSecond)]);
      return env.getJobGraph('rescale');
    };
    // Short source bursts: the file source's throttle blocks the thread for a burst, and uploads go on between bursts.
    const options = { storage, scope, jobId: 'run-1', interval: 100, executor: { sourceBurst: 50 } };
    const first = await startCheckpointedLocalJob(graph(from, kind === 'file' ? 30_000 : 4000), options);
    const emitted = () => first.job.tasks.filter((t) => t.vertex.isSource).reduce((sum, t) => sum + t.metrics()[0]!.recordsOut, 0);
    await waitUntil(() => emitted() >= checkpointAfter, `${checkpointAfter} records read`);
    const readAt = Date.now();
    await waitUntil(() => (first.stats.statistics().latest.completed?.triggerTimestamp ?? 0) >= readAt, 'a checkpoint triggered after them');
    first.job.cancel();
    await expect(first.result).rejects.toThrow('was cancelled');
    // The sources were still reading at the checkpoint.
    expect(committedLines(output).length).toBeLessThan(total);
    const second = await startCheckpointedLocalJob(graph(to, 300_000), options);
    expect(second.restored).toMatchObject({ origin: 'own-run' });
    await second.result;
    return committedLines(output);
  }

  it.each([
    [2, 3],
    [2, 1],
  ])('generator source checkpointed at parallelism %i, restored at %i: the output of an uninterrupted run', async (from, to) => {
    expect(await rescale('generator', '8000', 8000, 1000, from, to)).toEqual(expectedLines(8000));
  }, 30_000);

  it('file source (a directory of 3 files) checkpointed at parallelism 1 in its last file, restored at 3: the output of an uninterrupted run', async () => {
    writeNumberFiles(join(dir, 'in'), 60_000, 3);
    // Two of the three new subtasks get no file: started afresh, they would read files 1 and 2 again.
    expect(await rescale('file', join(dir, 'in'), 60_000, 41_000, 1, 3)).toEqual(expectedLines(60_000));
  }, 30_000);
});
