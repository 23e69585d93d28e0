import { basename, extname, resolve } from 'node:path';
import { Command } from 'commander';
import { positiveInt } from './option-values.ts';
import type { JobExecutionResult, OperatorResult } from '../api/job-execution-result.ts';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';
import { startCheckpointedLocalJob } from '../checkpoint/checkpointed-local-job.ts';
import { JobRuns, type RunChoice } from '../checkpoint/job-runs.ts';
import { withJobCheckpointing } from '../cluster/checkpointing-settings.ts';
import { loadJobModule } from '../cluster/job-module.ts';
import { runLocalCluster } from '../cluster/local-cluster.ts';
import { LocalExecutor } from '../cluster/local-executor.ts';
import { loadConfig, type CheckpointStorageConfig, type SluiceConfig } from '../config/index.ts';
import { logger } from '../core/logger.ts';
import { configuredS3Options } from '../fs/configured-s3-options.ts';
import { openConfiguredStorage } from '../fs/open-object-store.ts';
import type { ObjectStore } from '../fs/object-store.ts';
import { StorageError } from '../fs/storage-error.ts';

interface RunOptions {
  parallelism?: number;
  maxParallelism?: number;
  name?: string;
  taskmanagers?: number;
  fromSavepoint?: string;
  checkpointDir: string;
  resume?: boolean;
}

/**
 * `sluice run job.ts [--parallelism N] [-- job args]`: runs a job module in this process (or, with
 * `--taskmanagers N`, as a local cluster). A job that checkpoints keeps its runs in the checkpoint
 * storage: an interrupted run resumes from its own newest checkpoint, after a finished one a new
 * run starts (job-runs.ts).
 */
export function runCommand(): Command {
  return new Command('run')
    .description('run a job module locally, every subtask in this process')
    .argument('<job>', 'job module (.ts or .js) whose default export builds the pipeline')
    .argument('[args...]', 'arguments for the job (after --)')
    .option('-p, --parallelism <n>', 'default parallelism of operators', positiveInt)
    .option('--max-parallelism <n>', 'number of key groups', positiveInt)
    .option('-n, --name <name>', 'job name (default: the module file name)')
    .option('--taskmanagers <n>', 'run as a local cluster: a JobManager and N TaskManager processes', positiveInt)
    .option('--from-savepoint <path>', 'start a new run from this savepoint or checkpoint (directory or its _metadata; path or s3:// URI)')
    .option('--checkpoint-dir <dir>', 'where the job\'s checkpoints and runs are kept (S3 storage configured by SLUICE_CHECKPOINTING__STORAGE__S3__* wins)', '.sluice/checkpoints')
    .option('--resume', 'after a run that finished, start the new run from its newest checkpoint instead of empty')
    .action(async (job: string, args: string[], opts: RunOptions) => {
      const name = opts.name ?? basename(job, extname(job));
      const config = loadConfig();
      const storageConfig: CheckpointStorageConfig = 's3' in config.checkpointing.storage ? config.checkpointing.storage : { filesystem: { path: resolve(opts.checkpointDir) } };
      const build = await loadJobModule(job);
      // Every process builds the same pipeline from the module, so the module only builds it; running is ours.
      const env = new StreamExecutionEnvironment({
        executor: {
          execute: () =>
            Promise.reject(new Error(`job module "${job}" must not call env.execute(): it only builds the pipeline, and sluice runs it`)),
        },
      });
      if (opts.parallelism !== undefined) env.setParallelism(opts.parallelism);
      if (opts.maxParallelism !== undefined) env.setMaxParallelism(opts.maxParallelism);
      if (opts.taskmanagers !== undefined) {
        // Only to learn whether the job checkpoints: a module that fails to build is the JobManager's to report, as the job's failure.
        const built = await Promise.resolve()
          .then(() => build(env, args))
          .then(() => true, () => false);
        const { checkpointing } = withJobCheckpointing(config, built ? env.getCheckpointConfig() : undefined);
        const choice = await chooseClusterRun(storageConfig, config, name, opts);
        const { details, operators } = await runLocalCluster({
          job,
          args,
          name,
          jobId: choice.jobId,
          restoreFrom: choice.restoreFrom,
          checkpointStorage: storageConfig,
          // As Flink: a job without checkpoints is not restarted (it would start over from its sources).
          restartStrategy: checkpointing.interval === undefined ? { type: 'none' } : undefined,
          taskManagers: opts.taskmanagers,
          parallelism: opts.parallelism,
          maxParallelism: opts.maxParallelism,
        });
        logResult(name, (details.endTime ?? Date.now()) - details.startTime, operators);
        return;
      }
      await build(env, args);
      const result = await runInProcess(env, name, withJobCheckpointing(config, env.getCheckpointConfig()), storageConfig, opts);
      logResult(name, result.durationMs, result.operators);
    });
}

/** Every subtask in this process; with checkpoints (or a state to start from) as a run of the job in storage. */
async function runInProcess(env: StreamExecutionEnvironment, name: string, config: SluiceConfig, storageConfig: CheckpointStorageConfig, opts: RunOptions): Promise<JobExecutionResult> {
  const { checkpointing } = config;
  if (checkpointing.interval === undefined && opts.fromSavepoint === undefined && !opts.resume) {
    env.setExecutor(new LocalExecutor());
    return env.execute(name);
  }
  const storage = await openConfiguredStorage(storageConfig);
  try {
    const scope = { namespace: config.job.namespace, jobName: name };
    const runs = new JobRuns(storage, scope);
    const choice = await runs.choose({ resume: opts.resume, fromSavepoint: opts.fromSavepoint });
    logRun(name, choice, storage);
    const run = await startCheckpointedLocalJob(env.getJobGraph(name), {
      storage,
      scope,
      jobId: choice.jobId,
      interval: checkpointing.interval,
      mode: checkpointing.mode,
      timeout: checkpointing.timeout,
      minPause: checkpointing.minPause,
      retained: checkpointing.retained,
      restoreFrom: choice.restoreFrom,
      allowNonRestoredState: config.job.allowNonRestoredState,
      s3: configuredS3Options(config),
    });
    const result = await run.result;
    await runs.markFinished(choice.jobId);
    return result;
  } finally {
    await storage.close();
  }
}

function logResult(name: string, durationMs: number, operators: readonly OperatorResult[]): void {
  logger.info({ job: name, durationMs, operators: operators.map(({ name: n, recordsIn, recordsOut }) => ({ name: n, recordsIn, recordsOut })) }, 'job result');
}

/**
 * The run a local cluster goes on with. Storage that cannot be listed is left to the JobManager,
 * which reports it as the job's failure, naming bucket and endpoint; the run is then the first.
 */
async function chooseClusterRun(storageConfig: CheckpointStorageConfig, config: SluiceConfig, name: string, opts: RunOptions): Promise<RunChoice> {
  let storage: ObjectStore | undefined;
  try {
    storage = await openConfiguredStorage(storageConfig);
    const choice = await new JobRuns(storage, { namespace: config.job.namespace, jobName: name }).choose({ resume: opts.resume, fromSavepoint: opts.fromSavepoint });
    logRun(name, choice, storage);
    return choice;
  } catch (e) {
    if (!(e instanceof StorageError) || e.reason === 'not-found') throw e;
    return { jobId: name, restoreFrom: opts.fromSavepoint, reason: 'first' };
  } finally {
    await storage?.close();
  }
}

function logRun(name: string, choice: RunChoice, storage: ObjectStore): void {
  const what = {
    first: 'the first run',
    resume: 'resuming the interrupted run from its newest checkpoint',
    new: 'a new run: the previous one finished (--resume goes on from its newest checkpoint)',
    'resume-finished': `a new run from the finished run's newest checkpoint ${choice.restoreFrom}`,
    'from-savepoint': `a new run from ${choice.restoreFrom}`,
  }[choice.reason];
  logger.info({ job: name, jobId: choice.jobId, reason: choice.reason, storage: storage.uri }, `job ${name}: run ${choice.jobId}, ${what}`);
}
