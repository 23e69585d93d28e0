import { findCondition } from '../api/condition.ts';
import type { Builder, PodObservation } from './decision.ts';

/**
 * Degraded while a pod of the current run has a container that cannot run (crash loop, image that
 * cannot be pulled, container that cannot be configured): the reason is the kubelet's, the message
 * names each such pod. A Warning event says it when it starts or its reason changes. False otherwise, since
 * the spec itself was found valid.
 */
export function podFailures(b: Builder): void {
  const run = b.status.run?.number;
  const pods = [...(b.o.jobManagerPod ? [b.o.jobManagerPod] : []), ...b.o.taskManagerPods];
  const failing = pods.filter((p): p is PodObservation & Required<Pick<PodObservation, 'failure'>> => p.run === run && !p.terminating && p.failure !== undefined);
  if (failing.length === 0) {
    b.condition('Degraded', 'False', 'SpecValid', 'The spec can be carried out.');
    return;
  }
  const message = failing.map((p) => `pod ${p.name} container ${p.failure.container}: ${p.failure.reason}: ${p.failure.message}`).join('; ');
  const previous = findCondition(b.status.conditions, 'Degraded');
  const reason = failing[0]!.failure.reason;
  b.condition('Degraded', 'True', reason, message);
  if (previous?.status !== 'True' || previous.reason !== reason) b.event('Warning', reason, message);
}
