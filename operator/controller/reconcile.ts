import type { KubernetesObject, V1ConfigMap, V1NetworkPolicy, V1Pod, V1Service } from '@kubernetes/client-node';
import type { StreamJob } from '../api/stream-job.ts';
import { JOB_LABEL } from '../resources/labels.ts';

/**
 * What one reconcile asks for next:
 * - `{}` — done: nothing to do until an informer event or the periodic resync brings the key back;
 * - `{ requeueAfterMs }` — look again after this delay even if nothing changes (a job that is
 *   starting, a savepoint under way): the queue re-adds the key then, an earlier add wins;
 * - an error (a rejected promise) — the reconcile failed: the queue retries the key with per-key
 *   exponential backoff, and forgets the backoff after the next success.
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/**
 * Brings one StreamJob, named by its key `namespace/name`, closer to its spec. Level-triggered and
 * idempotent: every call starts from what exists now (the informers' caches, the JobManager), never
 * from what an earlier call did, so a key may be reconciled any number of times. The work queue
 * never runs two reconciles of one key at once.
 */
export interface Reconcile {
  reconcile(key: string): Promise<ReconcileResult>;
}

/** The objects a StreamJob owns, as the informers' caches hold them. */
export interface OwnedObjects {
  configMaps: readonly V1ConfigMap[];
  services: readonly V1Service[];
  pods: readonly V1Pod[];
  /** Empty when the operator writes no NetworkPolicies. */
  networkPolicies: readonly V1NetworkPolicy[];
}

/** What a reconcile reads instead of the API server: the controller's informer caches. */
export interface Caches {
  streamJob(namespace: string, name: string): StreamJob | undefined;
  owned(namespace: string, job: StreamJob): OwnedObjects;
}

/** The work-queue key of a StreamJob. */
export function streamJobKey(job: StreamJob): string {
  return `${job.metadata.namespace}/${job.metadata.name}`;
}

/** Objects of `kind` in a cache that a StreamJob owns as their controller. */
export function ownedBy<T extends KubernetesObject>(objects: readonly T[], job: StreamJob): T[] {
  return objects.filter(
    (o) => o.metadata?.labels?.[JOB_LABEL] === job.metadata.name && o.metadata?.ownerReferences?.some((r) => r.controller && r.uid === job.metadata.uid),
  );
}
