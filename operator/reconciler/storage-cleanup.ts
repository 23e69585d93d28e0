import type { V1Pod } from '@kubernetes/client-node';
import type { StreamJob } from '../api/stream-job.ts';
import type { OwnedObjects } from '../controller/reconcile.ts';
import { names } from '../resources/labels.ts';
import { oneShotOutcome } from '../resources/one-shot-pod.ts';
import { storageCleanupPod, storageCleanupPrefixes } from '../resources/storage-cleanup-pod.ts';
import { containerFailure } from './container-failure.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { KubeObjects } from './kube-objects.ts';

/** Which cleanup attempt `pod` is, when it is one of the StreamJob's storage cleanup pods (which the deletion of its other objects leaves alone). */
export function storageCleanupAttempt(job: StreamJob, pod: { metadata?: { name?: string } }): number | undefined {
  const base = names.storageCleanupPod(job.metadata.name!);
  const name = pod.metadata?.name;
  if (name === base) return 1;
  const attempt = name?.startsWith(`${base}-`) ? Number(name.slice(base.length + 1)) : NaN;
  return Number.isInteger(attempt) && attempt > 1 ? attempt : undefined;
}

/** Whether `pod` is one of the StreamJob's storage cleanup pods. */
export function isStorageCleanupPod(job: StreamJob, pod: { metadata?: { name?: string } }): boolean {
  return storageCleanupAttempt(job, pod) !== undefined;
}

/** How soon a deletion waiting on its storage cleanup pod is looked at again. */
export const STORAGE_CLEANUP_POLL_MS = 2000;

/**
 * Cleanup attempts before the deletion goes ahead without it: a cleanup that fails three times
 * (wrong credentials, a bucket gone) will not succeed by itself, and a StreamJob held forever holds
 * its namespace. Files left behind are the safe side; the Warning names them.
 */
export const STORAGE_CLEANUP_ATTEMPTS = 3;

/**
 * The finalizer's step for `checkpointing.deletionPolicy`, once the job's pods are gone: a short-lived
 * pod runs `sluice cleanup` with the job's storage settings and credentials (the operator has none)
 * and deletes what the policy names (resources/storage-cleanup-pod.ts). True once that is done (the
 * pod succeeded; it goes with the StreamJob), given up, or there is nothing to delete. A failed attempt
 * is followed by a new pod (the cleanup can be repeated; the failed pod stays for its logs), said in a
 * StorageCleanupFailed Warning event; after {@link STORAGE_CLEANUP_ATTEMPTS} failures, or at once when
 * the pod cannot configure its container (the credentials Secret is gone), the cleanup is given up:
 * StorageCleanupSkipped, files left in place.
 */
export async function cleanUpStorage(kube: KubeObjects, job: StreamJob, owned: OwnedObjects, events: EventRecorder): Promise<boolean> {
  const prefixes = storageCleanupPrefixes(job);
  const attempts = owned.pods.map((p) => ({ pod: p, attempt: storageCleanupAttempt(job, p) })).filter((a): a is { pod: V1Pod; attempt: number } => a.attempt !== undefined);
  if (prefixes.length === 0 && attempts.length === 0) return true;
  const latest = attempts.sort((a, b) => b.attempt - a.attempt)[0];
  if (latest === undefined) {
    await kube.create(storageCleanupPod(job, prefixes));
    return false;
  }
  const { pod, attempt } = latest;
  const skipped = (why: string) => events.record(job, { type: 'Warning', reason: 'StorageCleanupSkipped', message: `Nothing deleted from storage, ${prefixes.join(', ')} left in place: ${why}` });
  const failure = containerFailure(pod);
  if (failure?.reason === 'CreateContainerConfigError') {
    // The credentials Secret is gone (deleting a namespace deletes it beside the StreamJob): the cleanup
    // can never run, and holding the deletion forever would hold the namespace. Leaving files is the safe side.
    await skipped(`pod ${pod.metadata!.name} cannot start: ${failure.message}`);
    return true;
  }
  const outcome = pod.metadata?.deletionTimestamp === undefined ? oneShotOutcome(pod) : undefined;
  if (outcome === undefined) return false;
  if (outcome.exitCode === 0) {
    // The pod stays until the StreamJob is gone (garbage-collected with it): a retried finalizer removal finds it done.
    await events.record(job, { type: 'Normal', reason: 'StorageCleanedUp', message: `Deleted from storage (checkpointing.deletionPolicy): ${prefixes.join(', ')}` });
    return true;
  }
  const why = `pod ${pod.metadata!.name} (sluice cleanup) failed (${outcome.reason ?? `exit code ${outcome.exitCode}`}): ${outcome.message}`;
  if (attempt >= STORAGE_CLEANUP_ATTEMPTS) {
    await skipped(`${STORAGE_CLEANUP_ATTEMPTS} attempts failed, the last: ${why}`);
    return true;
  }
  await kube.create(storageCleanupPod(job, prefixes, attempt + 1));
  await events.record(job, { type: 'Warning', reason: 'StorageCleanupFailed', message: `Attempt ${attempt} of ${STORAGE_CLEANUP_ATTEMPTS}: ${why}; trying again` });
  return false;
}
