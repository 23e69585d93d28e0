import { rfc3339 } from '../api/time.ts';
import type { StreamJobStatus } from '../api/stream-job-status.ts';
import type { Action, EventSpec } from './decision.ts';

/** The outcome of an action that talks to the JobManager, folded into the status the decision wrote. */
export type ActionResult = { ok: true; triggerId?: string } | { ok: false; error: string; /** The JobManager's HTTP status, when it answered. */ httpStatus?: number };

export function applyActionResult(status: StreamJobStatus, action: Action, result: ActionResult, now: Date): { status: StreamJobStatus; events: EventSpec[] } {
  switch (action.kind) {
    case 'triggerSavepoint':
      if (result.ok) {
        const pending = { triggerId: result.triggerId!, trigger: 'manual' as const, triggerNonce: action.nonce, startTime: rfc3339(now) };
        return { status: { ...status, savepoints: { ...status.savepoints, pending } }, events: [{ type: 'Normal', reason: 'SavepointTriggered', message: `Savepoint requested for savepointTriggerNonce ${action.nonce}` }] };
      }
      return {
        status: { ...status, savepoints: { ...status.savepoints, observedTriggerNonce: action.nonce } },
        events: [{ type: 'Warning', reason: 'SavepointFailed', message: `Could not request a savepoint: ${result.error}` }],
      };
    case 'periodicSavepoint':
      if (result.ok) {
        const pending = { triggerId: result.triggerId!, trigger: 'periodic' as const, startTime: rfc3339(now) };
        return { status: { ...status, savepoints: { ...status.savepoints, pending } }, events: [{ type: 'Normal', reason: 'SavepointTriggered', message: 'Periodic savepoint requested (job.savepoints.interval)' }] };
      }
      return { status, events: [{ type: 'Warning', reason: 'SavepointFailed', message: `Could not request a periodic savepoint: ${result.error}` }] };
    case 'disposeSavepoint':
      return disposalRequested(status, action.path, result);
    case 'stopWithSavepoint':
      if (result.ok) {
        const { lastError: _retried, ...upgrade } = status.upgrade!;
        return { status: { ...status, upgrade: { ...upgrade, savepointTriggerId: result.triggerId! } }, events: [] };
      }
      // Refused or unanswered: the lifecycle asks again until the checkpoint timeout, then falls back.
      return { status: { ...status, upgrade: { ...status.upgrade!, lastError: `stop-with-savepoint was refused: ${result.error}` } }, events: [] };
    default:
      return { status, events: result.ok ? [] : [{ type: 'Warning', reason: 'ActionFailed', message: `${action.kind} failed: ${result.error}` }] };
  }
}

/** A disposal request answered: its trigger is followed; refused (400: not this job's savepoint) it is given up, else tried again. */
function disposalRequested(status: StreamJobStatus, path: string, result: ActionResult): { status: StreamJobStatus; events: EventSpec[] } {
  const disposing = status.savepoints?.disposing ?? [];
  if (result.ok) {
    return { status: { ...status, savepoints: { ...status.savepoints, disposing: disposing.map((d) => (d.path === path ? { ...d, triggerId: result.triggerId! } : d)) } }, events: [] };
  }
  if (result.httpStatus === 400) {
    const { disposing: _all, ...rest } = status.savepoints ?? {};
    const left = disposing.filter((d) => d.path !== path);
    return {
      status: { ...status, savepoints: left.length > 0 ? { ...rest, disposing: left } : rest },
      events: [{ type: 'Warning', reason: 'SavepointDisposalRefused', message: `Savepoint ${path} is not disposed of, its files are left in storage: ${result.error}` }],
    };
  }
  return {
    status: { ...status, savepoints: { ...status.savepoints, disposing: disposing.map((d) => (d.path === path ? { ...d, lastError: result.error } : d)) } },
    events: [{ type: 'Warning', reason: 'SavepointDisposalFailed', message: `Disposing of savepoint ${path} failed, tried again: ${result.error}` }],
  };
}
