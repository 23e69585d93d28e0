import { expect } from '@jest/globals';
import type { CheckpointingStatistics, JobDetails } from '../../../runtime/rest/rest-types.ts';
import { waitFor } from '../../support/processes.ts';
import { Cluster } from '../cluster/cluster-fixture.ts';

/**
 * The two ways a process test of a stateful job restores it, written once: a TaskManager SIGKILLed
 * mid-run (restore from the newest checkpoint), and a stop with a savepoint followed by a new run
 * from it at another parallelism. Checkpoints go to a directory (`storage`), exactly-once.
 */
export interface FailoverJob {
  readonly entry: string;
  /** Checkpoint storage directory. */
  readonly storage: string;
}

const checkpointing = (storage: string, interval: string) => ({
  checkpointing: { interval, mode: 'exactly-once' as const, timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: storage } } },
});

/**
 * Runs the job at parallelism 2 on two TaskManagers, checkpointing every 300 ms; once `progressed`
 * and a checkpoint completed after that, SIGKILLs TaskManager 1 and starts another in its place.
 * Resolves to the details of the finished job, which restarted once, from a checkpoint.
 */
export async function killTaskManagerMidRun(job: FailoverJob, args: readonly string[], progressed: (d: JobDetails) => boolean): Promise<JobDetails> {
  const cluster = new Cluster({ entry: job.entry, args, parallelism: 2, taskManagers: 2, config: checkpointing(job.storage, '300ms') });
  const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
  try {
    await cluster.start();
    await cluster.waitForDetails('the job to progress', progressed);
    const before = (await checkpoints()).counts.completed;
    await waitFor('a checkpoint after that', async () => (await checkpoints()).counts.completed > before || undefined);
    await cluster.replaceTaskManager(1, 'tm-1-again');
    const done = await cluster.waitForState('FINISHED', 60_000);
    expect(done.restarts).toBe(1);
    expect((await checkpoints()).counts.restored).toBe(1);
    return done;
  } finally {
    await cluster.stop();
  }
}

/**
 * Runs the job (`first` args) at parallelism 2 in one TaskManager until `progressed`, stops it with
 * a savepoint, then runs it (`second` args) from the savepoint at parallelism 3. `between` runs
 * after the first run stopped. Resolves to the details of the second run, finished.
 */
export async function rescaleFromSavepoint(
  job: FailoverJob,
  runs: { readonly first: readonly string[]; readonly second: readonly string[] },
  progressed: (d: JobDetails) => boolean,
  between: () => void = () => undefined,
): Promise<JobDetails> {
  const run = (jobId: string, args: readonly string[], parallelism: number) =>
    new Cluster({ entry: job.entry, jobId, args, parallelism, taskManagers: 1, config: { taskmanager: { bindAddress: '127.0.0.1', dataPort: 0, slots: parallelism }, ...checkpointing(job.storage, '1h') } });
  const first = run('test-job', runs.first, 2);
  let location: string;
  try {
    await first.start();
    await first.waitForDetails('the first run to progress', progressed);
    location = await first.stopWithSavepoint();
    await first.waitForState('FINISHED');
  } finally {
    await first.stop();
  }
  between();
  const second = run('run-2', runs.second, 3);
  process.env.SLUICE_JOB__RESTORE_FROM = location;
  try {
    await second.start();
    const done = await second.waitForState('FINISHED', 60_000);
    const stats = await second.get<CheckpointingStatistics>(`/jobs/${second.jobId}/checkpoints`);
    expect(stats.latest.restored).toMatchObject({ isSavepoint: true, externalPath: location });
    return done;
  } finally {
    delete process.env.SLUICE_JOB__RESTORE_FROM;
    await second.stop();
  }
}
