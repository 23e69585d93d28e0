import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataStream } from '../api/data-stream.ts';
import { startCheckpointedLocalJob, type CheckpointedLocalJob } from '../checkpoint/checkpointed-local-job.ts';
import { FilesystemObjectStore } from '../fs/filesystem-object-store.ts';
import { ExactlyOnceCollectSink } from './exactly-once-collect-sink.ts';

export interface FailoverOptions {
  /** Once the sink received this many records, a checkpoint is taken; when it completed, the job fails. */
  readonly failAfterRecords: number;
  readonly jobName?: string;
}

/** What a run with a failure and a restore gave. */
export interface FailoverResult<T> {
  /** What the sink committed over both attempts: equal to a run without failure when state survives the restore. */
  readonly values: T[];
  /** The checkpoint the second attempt restored from. */
  readonly restoredCheckpointId: number;
  /** Records the sink received in the failed attempt, committed or not. */
  readonly writtenBeforeFailure: number;
  /** Records the sink received after the restore: those after the checkpoint's barrier. */
  readonly writtenAfterRestore: number;
}

/** Checkpoints are taken by hand and at the end: the periodic interval never comes round in a test. */
const NO_PERIODIC_CHECKPOINTS = 24 * 3600_000;

/**
 * Runs the job of `stream` with checkpoints to a temporary directory, makes it fail, restores it
 * and runs it to the end, as a JobManager's failover would: once the sink received
 * `failAfterRecords` records a checkpoint is taken, and when it completed every task is cancelled
 * (what they did since is lost); a second attempt finds that checkpoint by the same restore
 * decision a restarted JobManager makes, restores every operator's state and the sources'
 * positions from it, and runs until its final checkpoint. `stream` goes into an exactly-once
 * collecting sink, so `values` is what a job with a transactional sink publishes: the output of a
 * run without failure, exactly, if the user's state survived.
 */
export async function executeWithFailover<T>(stream: DataStream<T>, options: FailoverOptions): Promise<FailoverResult<T>> {
  const jobName = options.jobName ?? 'failover-test';
  const sink = new ExactlyOnceCollectSink<T>();
  stream.sinkTo(sink).name('Exactly-once Collect');
  const graph = stream.env.getJobGraph(jobName);
  const dir = await mkdtemp(join(tmpdir(), 'sluice-failover-'));
  try {
    const run = () =>
      startCheckpointedLocalJob(graph, {
        storage: new FilesystemObjectStore(dir),
        scope: { namespace: 'test', jobName },
        jobId: jobName,
        interval: NO_PERIODIC_CHECKPOINTS,
      });
    const first = await run();
    const checkpointId = await failAfterCheckpoint(first, sink, options.failAfterRecords);
    const writtenBeforeFailure = sink.written;
    await first.result.catch(() => undefined);
    sink.onWrite = undefined;
    const second = await run();
    if (second.restored?.checkpointId !== checkpointId) {
      second.job.cancel();
      throw new Error(`the second attempt restored from ${second.restored ? `checkpoint ${second.restored.checkpointId}` : 'nothing'}, not from checkpoint ${checkpointId}`);
    }
    await second.result;
    return { values: sink.values, restoredCheckpointId: checkpointId, writtenBeforeFailure, writtenAfterRestore: sink.written - writtenBeforeFailure };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Takes a checkpoint once the sink received `records` records, then cancels every task; resolves with the checkpoint's id. */
function failAfterCheckpoint<T>(job: CheckpointedLocalJob, sink: ExactlyOnceCollectSink<T>, records: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    sink.onWrite = () => {
      if (sink.written < records) return;
      sink.onWrite = undefined;
      job.coordinator.triggerCheckpoint().then((checkpoint) => {
        job.job.cancel();
        resolve(checkpoint.checkpointId);
      }, reject);
    };
    job.result.then(
      () => reject(new Error(`the job ended after ${sink.written} records at its sink, before the failure planned after ${records}: fail it earlier`)),
      (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
