import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCheckpointedLocalJob, type CheckpointedLocalJobOptions } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { FilesystemObjectStore } from '../../../runtime/fs/filesystem-object-store.ts';
import { LocalExecutor } from '../../../runtime/cluster/local-executor.ts';
import { checkpointsDirectory } from '../../../runtime/checkpoint/storage-layout.ts';
import { committedLines, countingJob, expectedLines } from './job-fixture.ts';
import { waitUntil } from '../../support/processes.ts';

const scope = { namespace: 'default', jobName: 'counting' };

describe('exactly-once checkpoints in one process', () => {
  let dir: string;
  let storage: FilesystemObjectStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-eo-'));
    storage = new FilesystemObjectStore(join(dir, 'checkpoints'));
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (extra: Partial<CheckpointedLocalJobOptions> = {}): CheckpointedLocalJobOptions => ({ storage, scope, jobId: 'run-1', interval: 200, ...extra });

  it('cancelled and restored from the newest checkpoint several times, at changing parallelism, commits the exact output', async () => {
    const output = join(dir, 'out');
    const total = 12_000;
    const restoredIds: number[] = [];
    // The counting operator and sink change parallelism between attempts: keyed state moves by key group.
    for (const parallelism of [2, 3, 1]) {
      const run = await startCheckpointedLocalJob(countingJob(output, { total, parallelism, recordsPerSecond: 6000 }), options());
      if (run.restored) restoredIds.push(run.restored.checkpointId);
      const completedBefore = run.stats.statistics().counts.completed;
      await waitUntil(() => run.stats.statistics().counts.completed > completedBefore, 'a checkpoint of this attempt');
      // Fail at a random moment between checkpoints.
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      run.job.cancel();
      await expect(run.result).rejects.toThrow('was cancelled');
    }
    const last = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 6000 }), options());
    restoredIds.push(last.restored!.checkpointId);
    await last.result;
    expect(restoredIds).toHaveLength(3);
    expect([...restoredIds].sort((a, b) => a - b)).toEqual(restoredIds);
    expect(committedLines(output)).toEqual(expectedLines(total));
    // Retention kept the newest 3 completed checkpoints of the run.
    const runDirectory = join(dir, 'checkpoints', checkpointsDirectory(scope, 'run-1'));
    const completed = () => readdirSync(runDirectory).filter((d) => existsSync(join(runDirectory, d, '_metadata')));
    // Retention runs after each completion, in the background.
    await waitUntil(() => completed().length === 3, 'retention of the newest 3 checkpoints');
  }, 60_000);

  it('savepoint, stop, start from the savepoint in a new run gives the result of an uninterrupted run', async () => {
    const output = join(dir, 'out');
    const total = 6000;
    const first = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 3000 }), options({ interval: undefined }));
    await waitUntil(() => first.job.tasks.some((t) => t.metrics().some((m) => m.recordsIn > 1000)), 'the first records counted');
    const savepoint = await first.stopWithSavepoint();
    expect(savepoint.savepoint).toBe(true);
    expect(savepoint.path).toMatch(/\/default\/counting\/savepoints\/sp-\d+$/);
    const second = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 6000 }), options({ jobId: 'run-2', restoreFrom: savepoint.path }));
    expect(second.restored).toEqual({ checkpointId: savepoint.checkpointId, path: savepoint.path, origin: 'restore-from' });
    expect(second.stats.statistics().latest.restored).toMatchObject({ id: savepoint.checkpointId, isSavepoint: true, externalPath: savepoint.path });
    await second.result;
    expect(committedLines(output)).toEqual(expectedLines(total));
  }, 30_000);

  it('skips a corrupted newest checkpoint with the reason and restores the one before', async () => {
    const output = join(dir, 'out');
    const total = 6000;
    const first = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 3000 }), options({ interval: 100, retained: 5 }));
    await waitUntil(() => first.stats.statistics().counts.completed >= 2, 'two checkpoints');
    first.coordinator.stop();
    first.job.cancel();
    await expect(first.result).rejects.toThrow('was cancelled');
    const newest = first.stats.statistics().latest.completed!;
    writeFileSync(join(new URL(newest.externalPath!).pathname, '_metadata'), '{"version": 1, "checkpointId": ');
    const second = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 6000 }), options());
    expect(second.restored!.checkpointId).toBeLessThan(newest.id);
    const skipped = second.stats.statistics().skippedOnRestore;
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.path).toBe(newest.externalPath);
    expect(skipped[0]!.reason).toMatch(/^Checkpoint metadata is not JSON: /);
    await second.result;
    // The corrupted checkpoint had completed, so its transactions may have been committed and the
    // records between the two checkpoints then appear twice; nothing is lost, and the counts go on
    // from the older checkpoint's state.
    expect([...new Set(committedLines(output))].sort()).toEqual(expectedLines(total));
  }, 30_000);
});


describe('checkpointing modes', () => {
  it('exactly-once aligns the barriers of a task with two inputs; at-least-once does not', async () => {
    const alignment = async (mode: 'exactly-once' | 'at-least-once') => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-mode-'));
      try {
        const graph = countingJob(join(dir, 'out'), { total: 1_000_000, parallelism: 2, recordsPerSecond: 50_000 });
        const job = new LocalExecutor({ checkpointingMode: mode }).start(graph);
        const ended = job.result.catch(() => undefined);
        const acks = await job.triggerCheckpoint(1);
        job.cancel();
        await ended;
        const counts = graph.vertices.find((v) => v.operators.some((n) => n.uid === 'counts'))!;
        return acks.filter((a) => a.vertexId === counts.id).map((a) => a.alignmentDurationMs);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const aligned = await alignment('exactly-once');
    expect(aligned).toHaveLength(2);
    for (const ms of aligned) expect(ms).toBeGreaterThan(0);
    expect(await alignment('at-least-once')).toEqual([0, 0]);
  });
});
