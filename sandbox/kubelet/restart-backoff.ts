/**
 * The kubelet's container restart back-off (client-go `flowcontrol.Backoff` as the kubelet uses it):
 * the first restart is immediate; each later one waits 10s, 20s, 40s, ... capped at 5 minutes; an
 * entry not bumped for twice the cap (a container that ran 10 minutes) starts over.
 * `scale` shrinks every duration, for tests; 1 is Kubernetes.
 */
export interface BackoffEntry {
  delayMs: number;
  lastUpdate: number;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffPolicy(scale: number): BackoffPolicy {
  return { initialMs: 10_000 * scale, maxMs: 300_000 * scale };
}

/** How long to wait, from `now`, before restarting a container that finished at `finishedAt`. */
export function remainingBackoff(entry: BackoffEntry | undefined, finishedAt: number, now: number, policy: BackoffPolicy): number {
  if (entry === undefined || expired(entry, finishedAt, policy)) return 0;
  return Math.max(0, finishedAt + entry.delayMs - now);
}

/** The entry after a restart at `now` (the kubelet's `backOff.Next`). */
export function nextBackoff(entry: BackoffEntry | undefined, now: number, policy: BackoffPolicy): BackoffEntry {
  if (entry === undefined || expired(entry, now, policy)) return { delayMs: policy.initialMs, lastUpdate: now };
  return { delayMs: Math.min(entry.delayMs * 2, policy.maxMs), lastUpdate: now };
}

function expired(entry: BackoffEntry, at: number, policy: BackoffPolicy): boolean {
  return at - entry.lastUpdate > 2 * policy.maxMs;
}
