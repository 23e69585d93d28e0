import { createHash } from 'node:crypto';
import type { StreamJobSpec } from '../api/stream-job-spec.ts';

/**
 * The spec hash names what a run was deployed from: a different hash means the job must be redeployed.
 *
 * sha256 (first 16 hex digits) of the spec in canonical JSON, without the fields that never redeploy
 * by themselves: `job.state` (suspend/resume has its own path), `job.savepointTriggerNonce` and `job.savepoints` (a
 * savepoint, and which are kept), `job.restartNonce` (compared on its own, since it forces last-state whatever the
 * upgradeMode), `job.upgradeMode` and `job.rollback` (how to roll out, not what), `job.healthCheck` (when the
 * operator redeploys, not what), `job.initialSavepointPath`
 * (read on the first deploy only) `taskManager.replicas` (TaskManagers are added or removed without a redeploy) and
 * `checkpointing.deletionPolicy` (read when the StreamJob is deleted).
 */
export function specHash(spec: StreamJobSpec): string {
  const {
    state: _state,
    healthCheck: _health,
    savepointTriggerNonce: _nonce,
    restartNonce: _restart,
    savepoints: _savepoints,
    upgradeMode: _mode,
    rollback: _rollback,
    initialSavepointPath: _initial,
    ...job
  } = spec.job;
  const { replicas: _replicas, ...taskManager } = spec.taskManager;
  const { deletionPolicy: _deletion, ...checkpointing } = spec.checkpointing;
  return createHash('sha256').update(canonicalJson({ ...spec, job, taskManager, checkpointing })).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted at every level, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function objectHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}
