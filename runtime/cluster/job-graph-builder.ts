import { StreamExecutionEnvironment } from '../api/stream-execution-environment.ts';
import type { SluiceConfig } from '../config/index.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import { loadJobModule } from './job-module.ts';

/**
 * Builds the job's graph from its module the way every process of a cluster does: same module,
 * same args, same parallelism, so vertex and operator ids agree between JobManager and TaskManagers.
 */
export async function buildJobGraph(config: SluiceConfig): Promise<JobGraph> {
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
  return env.getJobGraph(config.job.name);
}
