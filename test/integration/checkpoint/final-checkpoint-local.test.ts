import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { startCheckpointedLocalJob, type CheckpointedLocalJob } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { FilesystemObjectStore } from '../../../runtime/fs/filesystem-object-store.ts';
import { checkpointsDirectory } from '../../../runtime/checkpoint/storage-layout.ts';
import { CollectSink } from '../../../runtime/connectors/collect-sink.ts';
import { ExactlyOnceFileSink } from '../../../runtime/connectors/exactly-once-file-sink.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';
import type { JobGraph } from '../../../runtime/graph/job-graph.ts';
import { AbstractStreamOperator } from '../../../runtime/operators/abstract-stream-operator.ts';
import { committedLines, expectedLines, KEYS } from './job-fixture.ts';
import { waitUntil } from '../../support/processes.ts';

const scope = { namespace: 'default', jobName: 'final' };

/**
 * Passes records on. Its `finish` in subtask 1 of the first attempt waits until `failWhen()` holds,
 * then fails the task: a failure strictly after the other subtask's sink reached end of input.
 */
class FailingGate extends AbstractStreamOperator {
  constructor(private readonly failWhen: (() => boolean) | undefined) {
    super();
  }

  processElement(value: unknown, timestamp: number): void {
    this.output.collect(value, timestamp);
  }

  override finish(): void | Promise<void> {
    const failWhen = this.failWhen;
    if (this.ctx.subtaskIndex !== 1 || failWhen === undefined) return;
    return (async () => {
      await waitUntil(failWhen, 'sink subtask 0 to end');
      throw new Error('injected failure after sink subtask 0 ended');
    })();
  }
}

/** Numbers → per-key running count (2 subtasks) → gate → exactly-once file sink, chained after the keyBy. */
function gatedCountingJob(output: string, total: number, failWhen?: () => boolean): JobGraph {
  const env = new StreamExecutionEnvironment().setParallelism(2);
  env
    .fromSource(new GeneratorSource({ count: total, recordsPerSecond: 8000, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .keyBy(([k]) => k)
    .sum(1)
    .uid('counts')
    .then<[number, number]>('gate', () => new FailingGate(failWhen))
    .uid('gate')
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(output))
    .uid('committed-counts');
  return env.getJobGraph('final');
}

const sinkSubtask = (run: CheckpointedLocalJob, index: number) =>
  run.job.tasks.find((t) => t.descriptor.subtaskIndex === index && t.vertex.operators.some((n) => n.uid === 'committed-counts'))!;

describe('final checkpoints of bounded jobs in one process', () => {
  let dir: string;
  let storage: FilesystemObjectStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-final-'));
    storage = new FilesystemObjectStore(join(dir, 'checkpoints'));
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a subtask failing after a sink subtask reached end of input: restored, the job finishes with the exact output and its final checkpoint in storage', async () => {
    const output = join(dir, 'out');
    const total = 4000;
    const options = { storage, scope, jobId: 'run-1', interval: 100 };
    let first: CheckpointedLocalJob | undefined;
    let sinkEndedBeforeFailure = false;
    // Past its end of input: ended (or, were the job not checkpointing, finished and committed).
    const failWhen = () => (sinkEndedBeforeFailure = first !== undefined && !sinkSubtask(first, 0).isRunning);
    first = await startCheckpointedLocalJob(gatedCountingJob(output, total, failWhen), options);
    await expect(first.result).rejects.toThrow('injected failure after sink subtask 0 ended');
    expect(sinkEndedBeforeFailure).toBe(true);
    // Sink subtask 0 ended but committed nothing past the last completed checkpoint: a restart replays it.
    const restoredFrom = first.stats.statistics().latest.completed?.id;

    const second = await startCheckpointedLocalJob(gatedCountingJob(output, total), options);
    expect(second.restored?.checkpointId).toBe(restoredFrom);
    await second.result;
    expect(committedLines(output)).toEqual(expectedLines(total));

    // The final checkpoint: completed after every subtask ended, the newest in the run's storage.
    const final = second.stats.statistics().latest.completed!;
    const runDirectory = join(dir, 'checkpoints', checkpointsDirectory(scope, 'run-1'));
    const completed = readdirSync(runDirectory).filter((d) => existsSync(join(runDirectory, d, '_metadata')));
    expect(completed).toContain(`chk-${final.id}`);
    expect(Math.max(...completed.map((d) => Number(d.slice(4))))).toBe(final.id);

    // Started again, the run restores its final checkpoint: the sources are at their end, nothing is written twice.
    const third = await startCheckpointedLocalJob(gatedCountingJob(output, total), options);
    expect(third.restored?.checkpointId).toBe(final.id);
    await third.result;
    expect(committedLines(output)).toEqual(expectedLines(total));
  }, 30_000);

  it('a short job finishes right after its final checkpoint, not an interval later, and commits its output', async () => {
    const output = join(dir, 'out');
    // An interval far beyond the test's timeout: only the final checkpoint, taken at once, lets the job finish.
    const run = await startCheckpointedLocalJob(gatedCountingJob(output, 100), { storage, scope, jobId: 'short', interval: 3_600_000 });
    await run.result;
    expect(run.stats.statistics().counts.completed).toBe(1);
    expect(committedLines(output)).toEqual(expectedLines(100));
  }, 30_000);

  it('stop-with-savepoint: the job finishes, no record after the savepoint barrier reaches a plain sink, and a run from the savepoint completes the output exactly', async () => {
    const total = 6000;
    const job = (sink: CollectSink<number>) => {
      const env = new StreamExecutionEnvironment().setParallelism(2);
      env
        .fromSource(new GeneratorSource({ count: total, recordsPerSecond: 4000, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
        .uid('numbers')
        .rebalance()
        .map((n: number) => n)
        .uid('identity')
        .sinkTo(sink)
        .uid('collected');
      return env.getJobGraph('stop');
    };
    const before = new CollectSink<number>();
    const first = await startCheckpointedLocalJob(job(before), { storage, scope, jobId: 'run-1', interval: 60_000 });
    await waitUntil(() => before.values.length > 1000, 'records flowing');
    const savepoint = await first.stopWithSavepoint();
    // FINISHED: the result resolves (a cancelled job rejects).
    await first.result;
    const seen = [...before.values].sort((a, b) => a - b);
    expect(new Set(seen).size).toBe(seen.length);

    const after = new CollectSink<number>();
    const second = await startCheckpointedLocalJob(job(after), { storage, scope, jobId: 'run-2', interval: 60_000, restoreFrom: savepoint.path });
    expect(second.restored?.checkpointId).toBe(savepoint.checkpointId);
    await second.result;
    // The plain sink saw exactly the records before the barrier in the first run, and the rest in the second.
    expect([...seen, ...after.values].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
  }, 30_000);
});
