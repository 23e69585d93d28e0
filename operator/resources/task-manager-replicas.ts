import type { StreamJobSpec } from '../api/stream-job-spec.ts';

/**
 * The number of TaskManager pods of a running StreamJob: `taskManager.replicas` when set, else as many
 * as the job's parallelism needs, ceil(`job.parallelism` ÷ `taskManager.slots`), so that scaling the
 * StreamJob (`kubectl scale`, an HPA: both change the parallelism) brings its pods along.
 */
export function taskManagerReplicas(spec: Pick<StreamJobSpec, 'job' | 'taskManager'>): number {
  return spec.taskManager.replicas ?? Math.ceil(spec.job.parallelism / spec.taskManager.slots);
}
