import { durationMs, rfc3339 } from '../api/time.ts';
import type { SavepointDisposal } from '../api/savepoint-policy.ts';
import type { StreamJobSpec } from '../api/stream-job-spec.ts';
import { SAVEPOINT_DISPOSALS_LIMIT, type Savepoint, type StreamJobStatus } from '../api/stream-job-status.ts';
import type { Builder } from './decision.ts';

/** What the history policy keeps: `maxCount` newest, none older than `maxAgeMs`. */
export interface SavepointHistoryPolicy {
  readonly maxCount: number;
  readonly maxAgeMs?: number;
}

/**
 * Savepoints nothing may dispose of: the newest one (the last usable state should everything else
 * fail), the point the current run started from, the one an upgrade in progress will start from,
 * and `job.initialSavepointPath`.
 */
export function protectedSavepoints(status: StreamJobStatus, spec: StreamJobSpec): Set<string> {
  const paths = [status.savepoints?.history?.[0]?.path, status.savepoints?.last?.path, status.run?.restorePath, status.upgrade?.restorePath, spec.job.initialSavepointPath];
  return new Set(paths.filter((p): p is string => p !== undefined).map(withoutTrailingSlash));
}

/**
 * The history policy as a pure function: of `history` (newest first), the savepoints beyond the
 * newest `maxCount` or older than `maxAgeMs` at `now`, except protected ones, which stay listed
 * until nothing protects them.
 */
export function disposableSavepoints(history: readonly Savepoint[], policy: SavepointHistoryPolicy, protectedPaths: ReadonlySet<string>, now: Date): Savepoint[] {
  return history.filter((savepoint, index) => {
    if (index === 0 || protectedPaths.has(withoutTrailingSlash(savepoint.path))) return false;
    const tooOld = policy.maxAgeMs !== undefined && now.getTime() - Date.parse(savepoint.time) > policy.maxAgeMs;
    return index >= policy.maxCount || tooOld;
  });
}

/**
 * Applies `job.savepoints.history` to `status.savepoints`: savepoints it lets go move from `history`
 * to `disposing` (status is written before anything is deleted), then the oldest of them is disposed
 * of through the JobManager, one at a time, and is dropped from `disposing` only once the JobManager
 * says its files are gone. A refused disposal (not a savepoint of this job's storage) is given up
 * with a Warning event; any other failure is tried again. Needs a reachable JobManager.
 */
export function savepointHistory(b: Builder): void {
  const { job, now } = b.o;
  const savepoints = b.status.savepoints ?? {};
  const history = savepoints.history ?? [];
  const { maxCount, maxAge } = job.spec.job.savepoints.history;
  const doomed = disposableSavepoints(history, { maxCount, ...(maxAge === undefined ? {} : { maxAgeMs: durationMs(maxAge) }) }, protectedSavepoints(b.status, job.spec), now);
  let disposing = savepoints.disposing ?? [];
  if (doomed.length > 0) {
    const known = new Set(disposing.map((d) => d.path));
    disposing = [...disposing, ...doomed.filter((s) => !known.has(s.path)).reverse().map((s) => ({ path: s.path, since: rfc3339(now) }))].slice(-SAVEPOINT_DISPOSALS_LIMIT);
    b.status = { ...b.status, savepoints: { ...savepoints, history: history.filter((s) => !doomed.includes(s)), disposing } };
  }
  const next = disposing[0];
  if (next === undefined) return;
  if (next.triggerId !== undefined) {
    const observed = b.o.savepointDisposal;
    if (observed === undefined || observed.status === 'IN_PROGRESS') return;
    if (observed.status === 'COMPLETED') {
      setDisposing(b, disposing.slice(1));
      b.event('Normal', 'SavepointDisposed', `Savepoint ${next.path} disposed of (history policy)`);
      return;
    }
    const { triggerId: _failed, ...retry } = next;
    setDisposing(b, [{ ...retry, lastError: observed.cause }, ...disposing.slice(1)]);
    b.event('Warning', 'SavepointDisposalFailed', `Disposing of savepoint ${next.path} failed, tried again: ${observed.cause}`);
    return;
  }
  if (b.o.jobManager?.reachable === true) b.actions.push({ kind: 'disposeSavepoint', path: next.path });
}

function setDisposing(b: Builder, disposing: SavepointDisposal[]): void {
  const { disposing: _old, ...rest } = b.status.savepoints ?? {};
  b.status = { ...b.status, savepoints: disposing.length > 0 ? { ...rest, disposing } : rest };
}

function withoutTrailingSlash(path: string): string {
  return path.replace(/\/+$/, '');
}
