import type { V1Secret } from '@kubernetes/client-node';
import { deriveRunKey, encodeRunKey } from '../../runtime/rest/run-key.ts';
import type { StreamJob } from '../api/stream-job.ts';
import { jobLabels, names, ownerReference, RUN_ANNOTATION } from './labels.ts';
import { jobId, RUN_KEY_FILE } from './runtime-config.ts';

/**
 * A run's key, derived from the operator's own key and the run's job id (runtime/rest/run-key.ts):
 * the operator can compute it again at any time, so it creates the Secret holding it but never reads
 * a Secret back.
 */
export function runKey(operatorKey: Buffer, job: StreamJob, runNumber: number): Buffer {
  return deriveRunKey(operatorKey, jobId(job, runNumber));
}

/**
 * The Secret `<job>-run-<n>-key` of one run, mounted read-only into its pods. Owned by the
 * StreamJob (garbage-collected with it) and deleted when the run's pods are torn down; immutable,
 * because a run's key never changes.
 */
export function runKeySecret(job: StreamJob, runNumber: number, key: Buffer): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: names.runKeySecret(job.metadata.name!, runNumber),
      namespace: job.metadata.namespace!,
      labels: jobLabels(job.metadata.name!),
      annotations: { [RUN_ANNOTATION]: String(runNumber) },
      ownerReferences: [ownerReference(job)],
    },
    type: 'Opaque',
    immutable: true,
    stringData: { [RUN_KEY_FILE]: encodeRunKey(key) },
  };
}
