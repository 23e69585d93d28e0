import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { positiveInt } from './option-values.ts';
import { upgradePlan } from '../checkpoint/restore-compatibility.ts';
import { findStartingPoint } from '../checkpoint/restore.ts';
import { buildJobGraph } from '../cluster/job-graph-builder.ts';
import { loadConfig, type CheckpointStorageConfig, type SluiceConfig } from '../config/index.ts';
import { configuredS3Options } from '../fs/configured-s3-options.ts';
import { openConfiguredStorage } from '../fs/open-object-store.ts';
import { boundedPlanJson, PLAN_UNSAFE_EXIT_CODE, type UpgradePlan } from '../rest/upgrade-plan.ts';

interface PlanOptions {
  config?: string;
  parallelism?: number;
  maxParallelism?: number;
  name?: string;
  from?: string;
  fromRun?: string;
  checkpointDir?: string;
  terminationMessage?: string;
}

/**
 * `sluice plan [job] [args...] --from-run ID | --from URI`: builds the job's graph from its module
 * without running it, reads only the metadata of the state it would start from (the newest verified
 * checkpoint or savepoint of run ID, else URI, as a JobManager given `job.restoreFromRun` and
 * `job.restoreFrom` picks it) and says whether that state fits: JSON on stdout, exit code 0 when safe,
 * {@link PLAN_UNSAFE_EXIT_CODE} when not, 1 when the check could not be made. The job, its storage
 * and its settings come from the configuration (file or `SLUICE_*` variables) as for a JobManager;
 * the arguments and options override them. The operator runs it before a stateful upgrade.
 */
export function planCommand(): Command {
  return new Command('plan')
    .description('check, without running the job, whether it can start from a checkpoint or savepoint: operators whose state would be dropped, changed maxParallelism')
    .argument('[job]', 'job module (default: job.entry of the configuration)')
    .argument('[args...]', 'arguments for the job (after --; default: job.args)')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); default: SLUICE_CONFIG')
    .option('-p, --parallelism <n>', 'default parallelism of operators', positiveInt)
    .option('--max-parallelism <n>', 'number of key groups', positiveInt)
    .option('-n, --name <name>', 'job name, whose runs --from-run looks in (default: job.name)')
    .option('--from <uri>', 'savepoint or checkpoint to compare with (directory or its _metadata; path or s3:// URI)')
    .option('--from-run <id>', "compare with the newest verified checkpoint or savepoint of this run of the job, found in the job's storage; before --from")
    .option('--checkpoint-dir <dir>', 'where the job\'s runs are kept, for --from-run (default: checkpointing.storage)')
    .option('--termination-message <file>', 'also write the verdict (at most 4096 bytes of JSON) to this file, e.g. /dev/termination-log')
    .action(async (job: string | undefined, args: string[], opts: PlanOptions) => {
      let plan: UpgradePlan;
      try {
        plan = await makePlan(planConfig(job, args, opts), opts);
      } catch (error) {
        const message = (error as Error).message;
        if (opts.terminationMessage !== undefined) writeFileSync(opts.terminationMessage, boundedPlanJson({ safe: false, problems: [], error: message, summary: message }));
        throw error;
      }
      process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      if (opts.terminationMessage !== undefined) writeFileSync(opts.terminationMessage, boundedPlanJson(plan));
      if (!plan.safe) process.exitCode = PLAN_UNSAFE_EXIT_CODE;
    });
}

function planConfig(job: string | undefined, args: string[], opts: PlanOptions): SluiceConfig {
  return loadConfig({
    ...(opts.config === undefined ? {} : { file: opts.config }),
    overrides: {
      job: {
        ...(job === undefined ? {} : { entry: job, args }),
        ...(opts.name === undefined ? {} : { name: opts.name }),
        ...(opts.parallelism === undefined ? {} : { parallelism: opts.parallelism }),
        ...(opts.maxParallelism === undefined ? {} : { maxParallelism: opts.maxParallelism }),
      },
      ...(opts.checkpointDir === undefined ? {} : { checkpointing: { storage: { filesystem: { path: resolve(opts.checkpointDir) } } } }),
    },
  });
}

async function makePlan(config: SluiceConfig, opts: PlanOptions): Promise<UpgradePlan> {
  const graph = await buildJobGraph(config);
  if (opts.from === undefined && opts.fromRun === undefined) throw new Error('nothing to compare with: give --from-run <run id> or --from <savepoint or checkpoint>');
  const storage = await openConfiguredStorage(config.checkpointing.storage as CheckpointStorageConfig);
  try {
    const decision = await findStartingPoint(storage, { namespace: config.job.namespace, jobName: config.job.name }, { restoreFrom: opts.from, s3: configuredS3Options(config), restoreFromRun: opts.fromRun });
    const point = decision.point;
    try {
      return upgradePlan(graph, point && { uri: point.checkpoint.uri, checkpointId: point.checkpoint.checkpointId, metadata: point.checkpoint.metadata });
    } finally {
      await point?.close();
    }
  } finally {
    await storage.close();
  }
}
