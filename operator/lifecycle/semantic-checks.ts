import type { StreamJobSpec } from '../api/stream-job-spec.ts';
import { taskManagerReplicas } from '../resources/task-manager-replicas.ts';

/**
 * What is known to be wrong with the credentials Secret: `missing`, or the keys it lacks (as the pods
 * report them; the operator does not read Secrets); undefined when the spec names none.
 */
export type CredentialsSecretState = { name: string; absentKeys: readonly string[] } | { name: string; missing: true } | undefined;

export interface SpecProblem {
  reason: 'InsufficientSlots' | 'ParallelismAboveMaxParallelism' | 'CredentialsSecretNotFound' | 'CredentialsSecretIncomplete';
  message: string;
}

/**
 * What the CRD schema cannot check about a StreamJob: relations between fields, and the Secret it names
 * as its pods report it. Any problem found here keeps the operator from creating further pods (no
 * churn) and is reported as Degraded.
 */
export function specProblems(spec: StreamJobSpec, secret: CredentialsSecretState): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const { parallelism, maxParallelism } = spec.job;
  const replicas = taskManagerReplicas(spec);
  const { slots } = spec.taskManager;
  if (spec.job.state === 'running' && parallelism > replicas * slots) {
    problems.push({
      reason: 'InsufficientSlots',
      message: `job.parallelism ${parallelism} needs ${parallelism} slots, but taskManager.replicas ${replicas} × taskManager.slots ${slots} offer ${replicas * slots}`,
    });
  }
  if (parallelism > maxParallelism) {
    problems.push({
      reason: 'ParallelismAboveMaxParallelism',
      message: `job.parallelism ${parallelism} is above job.maxParallelism ${maxParallelism}`,
    });
  }
  if (secret !== undefined && 'missing' in secret) {
    problems.push({
      reason: 'CredentialsSecretNotFound',
      message: `Secret "${secret.name}" named by checkpointing.storage.s3.credentialsSecret does not exist`,
    });
  } else if (secret !== undefined) {
    const absent = secret.absentKeys;
    if (absent.length > 0) {
      problems.push({
        reason: 'CredentialsSecretIncomplete',
        message: `Secret "${secret.name}" named by checkpointing.storage.s3.credentialsSecret lacks the key${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`,
      });
    }
  }
  return problems;
}
