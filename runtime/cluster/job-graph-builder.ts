import { StreamExecutionEnvironment, type CheckpointConfig } from '../api/stream-execution-environment.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import { withJobCheckpointing } from './checkpointing-settings.ts';
import { loadJobModule } from './job-module.ts';

/** What a job module builds: its graph, and the checkpointing it asked for with `env.enableCheckpointing`. */
export interface BuiltJob {
  readonly graph: JobGraph;
  readonly checkpointing: CheckpointConfig | undefined;
}

const built = new WeakMap<SluiceConfig, Promise<BuiltJob>>();

/**
 * Builds the job from its module the way every process of a cluster does: same module, same args,
 * same parallelism, so vertex and operator ids agree between JobManager and TaskManagers. Once per
 * configuration: a process builds its job once, whichever of its parts asks.
 */
export function buildJob(config: SluiceConfig): Promise<BuiltJob> {
  let job = built.get(config);
  if (job === undefined) built.set(config, (job = build(config)));
  return job;
}

/**
 * The process configuration with the job's own checkpointing in place (checkpointing-settings.ts),
 * for every part of the process to read; its job is the one already built. A module that fails to
 * build leaves the configuration as it is: starting the job reports the failure.
 */
export async function withJobSettings(config: SluiceConfig): Promise<SluiceConfig> {
  const job = buildJob(config);
  let settings: CheckpointConfig | undefined;
  try {
    settings = (await job).checkpointing;
  } catch {
    return config;
  }
  const effective = withJobCheckpointing(config, settings);
  built.set(effective, job);
  return effective;
}

async function build(config: SluiceConfig): Promise<BuiltJob> {
  const entry = config.job.entry;
  if (entry === undefined) throw new Error('no job module: set job.entry (SLUICE_JOB__ENTRY) to the path of the job module');
  const build = await loadJobModule(entry);
  const env = new StreamExecutionEnvironment({
    executor: {
      execute: () => Promise.reject(new Error(`job module "${entry}" must not call env.execute(): it only builds the pipeline, and sluice runs it`)),
    },
  });
  env.setParallelism(config.job.parallelism).setMaxParallelism(config.job.maxParallelism);
  try {
    await build(env, [...config.job.args]);
  } catch (e) {
    throw new Error(`job module "${entry}" failed while building the pipeline: ${(e as Error).message}`, { cause: e });
  }
  return { graph: env.getJobGraph(config.job.name), checkpointing: env.getCheckpointConfig() };
}

/** The job's graph, as `buildJob` builds it. */
export async function buildJobGraph(config: SluiceConfig): Promise<JobGraph> {
  return (await buildJob(config)).graph;
}
