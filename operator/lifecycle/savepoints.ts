import { rfc3339 } from '../api/time.ts';
import { SAVEPOINT_HISTORY_LIMIT } from '../api/stream-job-status.ts';
import type { Savepoint } from '../api/stream-job-status.ts';
import { TRANSITION_INTERVAL_MS, type Builder } from './decision.ts';

/** A changed savepointTriggerNonce: trigger once, then follow the request (or a periodic one) until it completes. */
export function manualSavepoint(b: Builder): void {
  const savepoints = b.status.savepoints ?? {};
  const pending = savepoints.pending;
  const nonce = b.o.job.spec.job.savepointTriggerNonce;
  if (pending !== undefined) {
    const trigger = b.o.savepointTrigger;
    if (trigger === undefined || trigger.status === 'IN_PROGRESS') {
      b.requeueAfterMs = TRANSITION_INTERVAL_MS;
      return;
    }
    const { pending: _done, ...rest } = savepoints;
    // Only a manual savepoint answers the nonce: one changed while a periodic savepoint ran is still to be acted on.
    b.status = { ...b.status, savepoints: pending.trigger === 'manual' ? { ...rest, observedTriggerNonce: pending.triggerNonce ?? nonce } : rest };
    if (trigger.status === 'COMPLETED') {
      recordSavepoint(b, { path: trigger.location, time: rfc3339(b.o.now), trigger: pending.trigger, ...(pending.triggerNonce === undefined ? {} : { triggerNonce: pending.triggerNonce }) });
    } else {
      b.event('Warning', 'SavepointFailed', trigger.status === 'FAILED' ? `Savepoint failed: ${trigger.cause}` : `Savepoint status unknown: ${trigger.error}`);
    }
    return;
  }
  if (nonce !== (savepoints.observedTriggerNonce ?? 0) && b.status.jobState === 'RUNNING') {
    b.actions.push({ kind: 'triggerSavepoint', nonce });
    b.requeueAfterMs = TRANSITION_INTERVAL_MS;
  }
}

/** A savepoint completed: it becomes the last one and heads the history. */
export function recordSavepoint(b: Builder, savepoint: Savepoint): void {
  const history = [savepoint, ...(b.status.savepoints?.history ?? [])].slice(0, SAVEPOINT_HISTORY_LIMIT);
  b.status = { ...b.status, savepoints: { ...b.status.savepoints, last: savepoint, history } };
  b.event('Normal', 'SavepointCompleted', `Savepoint (${savepoint.trigger}) completed at ${savepoint.path}`);
}
