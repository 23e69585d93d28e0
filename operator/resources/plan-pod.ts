import type { V1Pod } from '@kubernetes/client-node';
import type { StreamJob } from '../api/stream-job.ts';
import { SPEC_HASH_ANNOTATION } from './labels.ts';
import { oneShotPod, TERMINATION_MESSAGE_PATH } from './one-shot-pod.ts';
import { checkpointStorageConfig, jobSettings } from './runtime-config.ts';

/** Kubernetes ends a plan pod that runs longer: building the graph and reading one metadata file take seconds. */
export const PLAN_DEADLINE_SECONDS = 300;

/** What a plan compares: the StreamJob's spec (the upgrade's target) with the state a new run would restore. */
export interface PlanTarget {
  readonly specHash: string;
  /** The running run's job id: its newest verified checkpoint or savepoint is what the new run restores (runtime `job.restoreFromRun`). */
  readonly fromRun: string;
  /** The point that run started from, which the new run restores if the run has not checkpointed yet. */
  readonly from?: string;
}

/** One plan pod per StreamJob and target spec. */
export function planPodName(job: StreamJob, specHash: string): string {
  return `${job.metadata.name}-plan-${specHash.slice(0, 10)}`;
}

/**
 * The upgrade check's pod: `sluice plan` in the new spec's image with its job settings (entry, args,
 * parallelism, maxParallelism) and the job's storage, writing its verdict as the termination message
 * (runtime/rest/upgrade-plan.ts), exit code 0 when safe.
 */
export function planPod(job: StreamJob, target: PlanTarget): V1Pod {
  return oneShotPod(job, {
    name: planPodName(job, target.specHash),
    component: 'plan',
    args: ['plan', '--from-run', target.fromRun, ...(target.from === undefined ? [] : ['--from', target.from]), '--termination-message', TERMINATION_MESSAGE_PATH],
    config: { job: jobSettings(job), checkpointing: { storage: checkpointStorageConfig(job.spec) } },
    annotations: { [SPEC_HASH_ANNOTATION]: target.specHash },
    activeDeadlineSeconds: PLAN_DEADLINE_SECONDS,
  });
}
