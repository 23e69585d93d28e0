import { basename, extname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';
import { loadJobModule } from '../cluster/job-module.ts';
import { runLocalCluster } from '../cluster/local-cluster.ts';
import { LocalExecutor } from '../cluster/local-executor.ts';
import { logger } from '../core/logger.ts';
import { readSnapshotsAt } from '../checkpoint/restore.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** `sluice run job.ts [--parallelism N] [-- job args]`: runs a job module in this process. */
export function runCommand(): Command {
  return new Command('run')
    .description('run a job module locally, every subtask in this process')
    .argument('<job>', 'job module (.ts or .js) whose default export builds the pipeline')
    .argument('[args...]', 'arguments for the job (after --)')
    .option('-p, --parallelism <n>', 'default parallelism of operators', positiveInt)
    .option('--max-parallelism <n>', 'number of key groups', positiveInt)
    .option('-n, --name <name>', 'job name (default: the module file name)')
    .option('--taskmanagers <n>', 'run as a local cluster: a JobManager and N TaskManager processes', positiveInt)
    .option('--from-savepoint <path>', 'start from this savepoint or checkpoint (directory or its _metadata; path or s3:// URI)')
    .action(async (job: string, args: string[], opts: { parallelism?: number; maxParallelism?: number; name?: string; taskmanagers?: number; fromSavepoint?: string }) => {
      if (opts.taskmanagers !== undefined) {
        // The cluster's processes read it as job.restoreFrom.
        if (opts.fromSavepoint !== undefined) process.env.SLUICE_JOB__RESTORE_FROM = opts.fromSavepoint;
        const name = opts.name ?? basename(job, extname(job));
        const { details, operators } = await runLocalCluster({ job, args, name, taskManagers: opts.taskmanagers, parallelism: opts.parallelism, maxParallelism: opts.maxParallelism });
        logger.info({ job: name, durationMs: (details.endTime ?? Date.now()) - details.startTime, operators: operators.map(({ name: n, recordsIn, recordsOut }) => ({ name: n, recordsIn, recordsOut })) }, 'job result');
        return;
      }
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
      await build(env, args);
      let restore;
      if (opts.fromSavepoint !== undefined) {
        const savepoint = await readSnapshotsAt(opts.fromSavepoint);
        logger.info({ checkpointId: savepoint.checkpoint.checkpointId, path: savepoint.checkpoint.uri }, 'restoring from savepoint');
        restore = savepoint.snapshots;
      }
      env.setExecutor(new LocalExecutor({ restore }));
      const name = opts.name ?? basename(job, extname(job));
      const result = await env.execute(name);
      logger.info(
        { job: name, durationMs: result.durationMs, operators: result.operators.map(({ name: n, recordsIn, recordsOut }) => ({ name: n, recordsIn, recordsOut })) },
        'job result',
      );
    });
}
