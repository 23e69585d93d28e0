import { durationMs } from '../api/time.ts';
import { TRANSITION_INTERVAL_MS, type Builder } from './decision.ts';

/**
 * `job.savepoints.interval`: a RUNNING job with no savepoint in flight gets one (trigger `periodic`)
 * once the interval has passed since its newest savepoint of any trigger, or since the run started;
 * until then the next look is due when the interval ends. Followed to completion by manualSavepoint's
 * handling of `status.savepoints.pending`, which records it with its trigger.
 */
export function periodicSavepoint(b: Builder): void {
  const interval = b.o.job.spec.job.savepoints.interval;
  const run = b.status.run;
  if (interval === undefined || run === undefined || b.status.savepoints?.pending !== undefined || b.status.jobState !== 'RUNNING') return;
  if (b.actions.some((a) => a.kind === 'triggerSavepoint')) return;
  const newest = b.status.savepoints?.history?.[0]?.time;
  const since = Math.max(Date.parse(run.startTime), newest === undefined ? -Infinity : Date.parse(newest));
  const dueInMs = since + durationMs(interval) - b.o.now.getTime();
  if (dueInMs <= 0) {
    b.actions.push({ kind: 'periodicSavepoint' });
    b.requeueAfterMs = TRANSITION_INTERVAL_MS;
  } else b.requeueAfterMs = Math.min(b.requeueAfterMs, dueInMs);
}
