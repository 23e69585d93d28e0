import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { ContainerFailure } from '../lifecycle/decision.ts';

/**
 * The waiting reasons with which a kubelet says a container cannot run and will not without a change
 * (kubelet's `images` and `kuberuntime` packages): a crash loop, an image it cannot pull or name, a
 * container it cannot configure or create. `ContainerCreating` and `PodInitializing` are progress,
 * not failures.
 */
export const CONTAINER_FAILURE_REASONS = new Set([
  'CrashLoopBackOff',
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreCreateHookError',
  'PostStartHookError',
]);

/** The first container (init containers first) of `pod` that waits for a failure reason, if any. */
export function containerFailure(pod: V1Pod): ContainerFailure | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason === undefined || !CONTAINER_FAILURE_REASONS.has(waiting.reason)) continue;
    return { container: status.name, reason: waiting.reason, message: [waiting.message, lastExit(status)].filter((m) => m).join('; ') || waiting.reason };
  }
  return undefined;
}

function lastExit(status: V1ContainerStatus): string | undefined {
  const terminated = status.lastState?.terminated;
  if (terminated === undefined) return undefined;
  return `last exit code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''} after ${status.restartCount} restart${status.restartCount === 1 ? '' : 's'}`;
}
