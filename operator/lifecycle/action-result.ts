import { rfc3339 } from '../api/time.ts';
import type { StreamJobStatus } from '../api/stream-job-status.ts';
import type { Action, EventSpec } from './decision.ts';

/** The outcome of an action that talks to the JobManager, folded into the status the decision wrote. */
export type ActionResult = { ok: true; triggerId?: string } | { ok: false; error: string };

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
