// The labels, annotations and owner reference on everything the operator creates for a StreamJob
// (operator/README.md).
import type { V1OwnerReference } from '@kubernetes/client-node';
import { STREAM_JOB_API_VERSION, STREAM_JOB_KIND } from '../api/stream-job.ts';
import type { StreamJob } from '../api/stream-job.ts';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'sluice-operator';
export const JOB_LABEL = 'sluice.dev/job';
export const COMPONENT_LABEL = 'sluice.dev/component';
/** Hash of the StreamJob spec the object was built from (see spec-hash.ts). */
export const SPEC_HASH_ANNOTATION = 'sluice.dev/spec-hash';
/** Hash of the whole desired manifest: an existing object with another value is replaced. */
export const OBJECT_HASH_ANNOTATION = 'sluice.dev/object-hash';
export const RUN_ANNOTATION = 'sluice.dev/run';
export const FINALIZER = 'sluice.dev/finalizer';

/** The pods of a run (`jobmanager`, `taskmanager`), and the one-shot pods beside them (one-shot-pod.ts). */
export type Component = RunComponent | OneShotComponent;
export type RunComponent = 'jobmanager' | 'taskmanager';
/** `plan`: the upgrade check (`sluice plan`); `cleanup`: disposes of files in the job's storage. */
export type OneShotComponent = 'plan' | 'cleanup';

/** Whether a pod belongs to a run (and not to a one-shot task beside it), by its component label. */
export function isRunPod(pod: { metadata?: { labels?: Record<string, string> } }): boolean {
  const component = pod.metadata?.labels?.[COMPONENT_LABEL];
  return component === 'jobmanager' || component === 'taskmanager';
}

/** Label selector of every object the operator manages, for its informers. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

export function jobLabels(jobName: string, component?: Component): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [JOB_LABEL]: jobName,
    ...(component === undefined ? {} : { [COMPONENT_LABEL]: component }),
  };
}

/** The selector of a job's TaskManager pods, reported for the scale subresource. */
export function taskManagerSelector(jobName: string): string {
  return Object.entries(jobLabels(jobName, 'taskmanager'))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export const names = {
  configMap: (job: string) => `${job}-config`,
  jobManagerService: (job: string) => `${job}-jobmanager`,
  jobManagerPod: (job: string) => `${job}-jobmanager`,
  taskManagerPod: (job: string, index: number) => `${job}-taskmanager-${index}`,
  runKeySecret: (job: string, run: number) => `${job}-run-${run}-key`,
  jobManagerNetworkPolicy: (job: string) => `${job}-jobmanager`,
  taskManagerNetworkPolicy: (job: string) => `${job}-taskmanager`,
  /** Attempt 1 is `<job>-storage-cleanup`, a later attempt `<job>-storage-cleanup-<n>`: failed attempts stay for their logs. */
  storageCleanupPod: (job: string, attempt = 1) => (attempt === 1 ? `${job}-storage-cleanup` : `${job}-storage-cleanup-${attempt}`),
};

/** The StreamJob as controller of an object: garbage-collected with it, and mapped back to it by the informers. */
export function ownerReference(job: StreamJob): V1OwnerReference {
  return {
    apiVersion: STREAM_JOB_API_VERSION,
    kind: STREAM_JOB_KIND,
    name: job.metadata.name!,
    uid: job.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

