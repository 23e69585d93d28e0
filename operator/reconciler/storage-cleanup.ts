import type { StreamJob } from '../api/stream-job.ts';
import type { OwnedObjects } from '../controller/reconcile.ts';
import { names } from '../resources/labels.ts';
import { oneShotOutcome } from '../resources/one-shot-pod.ts';
import { storageCleanupPod, storageCleanupPrefixes } from '../resources/storage-cleanup-pod.ts';
import { containerFailure } from './container-failure.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { KubeObjects } from './kube-objects.ts';

/** Whether `pod` is the StreamJob's storage cleanup pod, which the deletion of its other objects leaves alone. */
export function isStorageCleanupPod(job: StreamJob, pod: { metadata?: { name?: string } }): boolean {
  return pod.metadata?.name === names.storageCleanupPod(job.metadata.name!);
}

/** How soon a deletion waiting on its storage cleanup pod is looked at again. */
export const STORAGE_CLEANUP_POLL_MS = 2000;

/**
 * The finalizer's step for `checkpointing.deletionPolicy`, once the job's pods are gone: a short-lived
 * pod runs `sluice cleanup` with the job's storage settings and credentials (the operator has none)
 * and deletes what the policy names (resources/storage-cleanup-pod.ts). True once that is done (the
 * pod succeeded; it goes with the StreamJob), or there is nothing to delete. A pod that failed is deleted and created again on a later call (the
 * cleanup can be repeated), said in a StorageCleanupFailed Warning event: the StreamJob stays until
 * it succeeds, its deletionPolicy set to Retain, or its finalizer removed by hand. A pod that cannot
 * configure its container (the credentials Secret is gone) is given up: StorageCleanupSkipped, files left.
 */
export async function cleanUpStorage(kube: KubeObjects, job: StreamJob, owned: OwnedObjects, events: EventRecorder): Promise<boolean> {
  const prefixes = storageCleanupPrefixes(job);
  const pod = owned.pods.find((p) => isStorageCleanupPod(job, p));
  if (prefixes.length === 0 && pod === undefined) return true;
  if (pod === undefined) {
    await kube.create(storageCleanupPod(job, prefixes));
    return false;
  }
  const failure = containerFailure(pod);
  if (failure?.reason === 'CreateContainerConfigError') {
    // The credentials Secret is gone (deleting a namespace deletes it beside the StreamJob): the cleanup
    // can never run, and holding the deletion forever would hold the namespace. Leaving files is the safe side.
    await events.record(job, { type: 'Warning', reason: 'StorageCleanupSkipped', message: `Nothing deleted from storage, ${prefixes.join(', ')} left in place: pod ${pod.metadata!.name} cannot start: ${failure.message}` });
    return true;
  }
  const outcome = pod.metadata?.deletionTimestamp === undefined ? oneShotOutcome(pod) : undefined;
  if (outcome === undefined) return false;
  if (outcome.exitCode === 0) {
    // The pod stays until the StreamJob is gone (garbage-collected with it): a retried finalizer removal finds it done.
    await events.record(job, { type: 'Normal', reason: 'StorageCleanedUp', message: `Deleted from storage (checkpointing.deletionPolicy): ${prefixes.join(', ')}` });
    return true;
  }
  await kube.delete({ apiVersion: 'v1', kind: 'Pod', ...pod });
  const why = outcome.reason ?? `exit code ${outcome.exitCode}`;
  await events.record(job, { type: 'Warning', reason: 'StorageCleanupFailed', message: `Pod ${pod.metadata!.name} (sluice cleanup) failed (${why}), tried again: ${outcome.message}` });
  return false;
}
