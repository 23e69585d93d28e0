import type { ObjectStore } from '../fs/object-store.ts';
import { StorageError } from '../fs/storage-error.ts';
import { directoryPrefix, joinPath } from '../fs/storage-path.ts';
import { CompletedCheckpointStore } from './completed-checkpoint-store.ts';
import { jobDirectory, runDirectory, type JobScope } from './storage-layout.ts';

/** The file that marks a run as finished, in its folder beside `checkpoints/`. */
export const JOB_RESULT_FILE = 'job-result.json';

export interface JobRun {
  readonly jobId: string;
  /** 1 for the run named after the job, n for `<job-name>-<n>`. */
  readonly number: number;
  /** Its JobManager (or `sluice run`) saw it FINISHED and marked it so. */
  readonly finished: boolean;
}

/** Which run `sluice run` goes on with, and from where. */
export interface RunChoice {
  readonly jobId: string;
  /** A checkpoint or savepoint the run starts from (its own checkpoints, should it have some, win). */
  readonly restoreFrom?: string;
  /**
   * `first`: no run yet; `resume`: the newest run did not finish (interrupted), it goes on from its
   * own newest checkpoint; `new`: the newest run finished, this is a new one, empty; `resume-finished`:
   * `--resume`, a new run from the finished run's newest checkpoint; `from-savepoint`: a new run from it.
   */
  readonly reason: 'first' | 'resume' | 'new' | 'resume-finished' | 'from-savepoint';
}

/**
 * The runs of one job in its checkpoint storage, for `sluice run`, which has no other memory of
 * them (the operator numbers its runs itself): the first run's id is the job name, the n-th run's
 * `<job-name>-<n>`. A run that finished is marked by a `job-result.json` in its folder (as Flink's
 * JobResultStore marks globally terminated jobs), so that it is never resumed by accident: an
 * interrupted run resumes from its own newest checkpoint, after a finished one a new run starts.
 */
export class JobRuns {
  constructor(
    private readonly storage: ObjectStore,
    private readonly scope: JobScope,
  ) {}

  /** The job's runs found in storage, oldest first. */
  async list(): Promise<JobRun[]> {
    const parent = jobDirectory(this.scope);
    const prefix = directoryPrefix(parent);
    const runs = new Map<string, { number: number; finished: boolean }>();
    for (const entry of await this.storage.list(parent)) {
      const [name = '', ...rest] = entry.path.slice(prefix.length).split('/');
      const number = this.runNumber(name);
      if (number === undefined || rest.length === 0) continue;
      const run = runs.get(name) ?? { number, finished: false };
      if (rest.length === 1 && rest[0] === JOB_RESULT_FILE) run.finished = true;
      runs.set(name, run);
    }
    return [...runs].map(([jobId, run]) => ({ jobId, ...run })).sort((a, b) => a.number - b.number);
  }

  /** Marks run `jobId` finished: no later `sluice run` resumes it unless told to. */
  async markFinished(jobId: string): Promise<void> {
    const result = JSON.stringify({ jobId, state: 'FINISHED', timestamp: Date.now() });
    await this.storage.write(joinPath(runDirectory(this.scope, jobId), JOB_RESULT_FILE), Buffer.from(`${result}\n`));
  }

  /**
   * The run to go on with. `resume`: after a finished run, continue from its newest checkpoint in a
   * new run instead of starting empty; `fromSavepoint`: a new run from that savepoint or checkpoint.
   */
  async choose(options: { resume?: boolean; fromSavepoint?: string } = {}): Promise<RunChoice> {
    const runs = await this.list();
    const newest = runs[runs.length - 1];
    const next = this.runId((newest?.number ?? 0) + 1);
    if (options.fromSavepoint !== undefined) return { jobId: next, restoreFrom: options.fromSavepoint, reason: 'from-savepoint' };
    if (newest === undefined) return { jobId: next, reason: 'first' };
    if (!newest.finished) return { jobId: newest.jobId, reason: 'resume' };
    if (!options.resume) return { jobId: next, reason: 'new' };
    const { checkpoint } = await new CompletedCheckpointStore(this.storage, this.scope, newest.jobId).findLatest();
    if (!checkpoint) throw new StorageError('not-found', `--resume: run "${newest.jobId}" of job "${this.scope.jobName}" finished without a completed checkpoint to resume from`);
    return { jobId: next, restoreFrom: checkpoint.uri, reason: 'resume-finished' };
  }

  private runId(number: number): string {
    return number === 1 ? this.scope.jobName : `${this.scope.jobName}-${number}`;
  }

  private runNumber(name: string): number | undefined {
    if (name === this.scope.jobName) return 1;
    const match = /^-([2-9]|[1-9][0-9]+)$/.exec(name.slice(this.scope.jobName.length));
    return name.startsWith(this.scope.jobName) && match ? Number(match[1]) : undefined;
  }
}
