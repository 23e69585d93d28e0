import type { V1Pod } from '@kubernetes/client-node';
import type { StreamJob } from '../api/stream-job.ts';
import { names } from './labels.ts';
import { oneShotPod } from './one-shot-pod.ts';
import { checkpointStorageConfig, runIdPrefix } from './runtime-config.ts';

/** How long a cleanup pod may run before Kubernetes ends it (and the operator tries again). */
export const STORAGE_CLEANUP_DEADLINE_SECONDS = 600;

/**
 * What deleting the StreamJob deletes from storage, by `checkpointing.deletionPolicy`, as prefixes of
 * the job's folder (`sluice cleanup --delete`): `<metadata.uid>-` for the checkpoint folders of all its
 * runs (a re-created StreamJob of the same name has another uid), and each savepoint listed in
 * status (`sp-<n>` directories of the job's folder only, never `initialSavepointPath`). Empty: nothing to do.
 */
export function storageCleanupPrefixes(job: StreamJob): string[] {
  const policy = job.spec.checkpointing.deletionPolicy;
  const prefixes: string[] = [];
  if (job.status?.run === undefined) return prefixes;
  if (policy.checkpoints === 'Delete') prefixes.push(runIdPrefix(job));
  if (policy.savepoints === 'Delete') {
    const savepoints = job.status.savepoints;
    const initial = job.spec.job.initialSavepointPath?.replace(/\/+$/, '');
    const paths = [savepoints?.last?.path, ...(savepoints?.history ?? []).map((s) => s.path), ...(savepoints?.disposing ?? []).map((d) => d.path)];
    for (const path of new Set(paths.filter((p): p is string => p !== undefined).map((p) => p.replace(/\/+$/, '')))) {
      const name = /\/savepoints\/(sp-[0-9]+)$/.exec(path)?.[1];
      if (name !== undefined && path !== initial) prefixes.push(`savepoints/${name}/`);
    }
  }
  return prefixes;
}

/** The pod of cleanup attempt `attempt` that runs `sluice cleanup` with the job's storage settings and credentials (one-shot-pod.ts). */
export function storageCleanupPod(job: StreamJob, prefixes: readonly string[], attempt = 1): V1Pod {
  return oneShotPod(job, {
    name: names.storageCleanupPod(job.metadata.name!, attempt),
    component: 'cleanup',
    args: ['cleanup', '--delete', ...prefixes],
    config: { job: { name: job.metadata.name, namespace: job.metadata.namespace }, checkpointing: { storage: checkpointStorageConfig(job.spec) } },
    activeDeadlineSeconds: STORAGE_CLEANUP_DEADLINE_SECONDS,
  });
}
