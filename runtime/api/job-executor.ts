import type { JobGraph } from '../graph/job-graph.ts';
import type { JobExecutionResult } from './job-execution-result.ts';

/** Runs a JobGraph to completion: in this process (local) or on a cluster. */
export interface JobExecutor {
  execute(graph: JobGraph): Promise<JobExecutionResult>;
}
