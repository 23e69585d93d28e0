/** A duration as the StreamJob spec writes it (`10s`, `500ms`, `1m`, `2h`, `1d`), in milliseconds. */
export function durationMs(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(duration);
  if (!match) throw new Error(`invalid duration "${duration}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** Kubernetes' metav1.Time form: seconds precision, UTC. */
export function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
