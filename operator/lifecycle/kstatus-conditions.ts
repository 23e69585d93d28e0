import { findCondition } from '../api/condition.ts';
import type { StreamJobStatus } from '../api/stream-job-status.ts';
import type { Builder } from './decision.ts';
import type { HealthVerdict } from './health.ts';

/**
 * kstatus's two abnormal-true conditions (sigs.k8s.io/cli-utils/pkg/kstatus, which Flux's health
 * checks and `kpt live status` use), derived from the phase and the other conditions once the rest of
 * a decision is made, so that those tools read a StreamJob with their default rules and no custom check:
 *
 * - `Stalled` True: the operator cannot carry out the spec until someone changes something: the job
 *   failed (its restart strategy is exhausted), the spec is invalid, a pod's container cannot run, an
 *   upgrade was rolled back, a health redeploy did not help and backs off: any `Degraded` True but one
 *   saying that the operator redeployed the job for its health (it acted; that run is judged afresh).
 *   kstatus reads it as Failed.
 * - `Reconciling` True: the operator is working towards the spec and is not stalled: deploying,
 *   upgrading, suspending, waiting for the JobManager, TaskManagers not ready yet, the job restarting.
 *   kstatus reads it as InProgress.
 * - Neither True: Current. A job Running with every pod ready, Suspended (what the spec asks), or
 *   Finished (a bounded job that ended).
 *
 * Both are never True at once: kstatus takes whichever comes first in the list. `observedGeneration`
 * (set on every decision) tells kstatus whether the operator has seen the newest spec; `Ready` keeps
 * its meaning (the job runs and every pod is ready) for `kubectl wait --for=condition=Ready`.
 */
export function kstatusConditions(b: Builder): void {
  const stalled = stalledBecause(b.status);
  const reconciling = stalled === undefined ? reconcilingBecause(b.status) : undefined;
  b.condition('Stalled', stalled ? 'True' : 'False', stalled?.reason ?? 'NotStalled', stalled?.message ?? 'Nothing keeps the operator from carrying out the spec.');
  b.condition(
    'Reconciling',
    reconciling ? 'True' : 'False',
    reconciling?.reason ?? (stalled ? 'Stalled' : 'Reconciled'),
    reconciling?.message ?? (stalled ? `Stalled: ${stalled.message}` : (b.status.message ?? 'The spec is carried out.')),
  );
}

interface Because {
  reason: string;
  message: string;
}

/** Degraded while a redeploy for health is under way or recent (lifecycle/health.ts): the operator acted on it. */
const REDEPLOYED_FOR_HEALTH: ReadonlySet<string> = new Set<HealthVerdict['reason']>(['TooManyRestarts', 'CheckpointStalled']);

function stalledBecause(status: StreamJobStatus): Because | undefined {
  if (status.phase === 'Failed') return { reason: 'JobFailed', message: status.message ?? 'The job failed' };
  const degraded = findCondition(status.conditions, 'Degraded');
  if (degraded?.status === 'True' && !REDEPLOYED_FOR_HEALTH.has(degraded.reason)) return { reason: degraded.reason, message: degraded.message };
  return undefined;
}

function reconcilingBecause(status: StreamJobStatus): Because | undefined {
  const because = underWay(status);
  // A redeploy for health under way says why it redeploys.
  const degraded = findCondition(status.conditions, 'Degraded');
  if (because !== undefined && degraded?.status === 'True' && REDEPLOYED_FOR_HEALTH.has(degraded.reason)) return { reason: degraded.reason, message: degraded.message };
  return because;
}

function underWay(status: StreamJobStatus): Because | undefined {
  const progressing = findCondition(status.conditions, 'Progressing');
  if (progressing?.status === 'True') return { reason: progressing.reason, message: progressing.message };
  switch (status.phase) {
    case 'Pending':
    case 'Deploying':
    case 'Upgrading':
      return { reason: status.phase, message: status.message ?? status.phase };
    case 'Running': {
      // Restarting after a failure, or a TaskManager not ready: the job is on its way back.
      const ready = findCondition(status.conditions, 'Ready');
      return ready?.status === 'True' ? undefined : { reason: ready?.reason ?? 'JobNotReady', message: ready?.message ?? status.message ?? 'Running' };
    }
    default:
      return undefined;
  }
}
