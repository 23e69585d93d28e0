/**
 * Per-key exponential backoff, as client-go's ItemExponentialFailureRateLimiter: base × 2^failures,
 * capped, reset when a key is forgotten after a success.
 */
export interface RateLimiter {
  /** The delay before the next retry of `key`; counts a failure. */
  when(key: string): number;
  forget(key: string): void;
  failures(key: string): number;
}

export class ExponentialRateLimiter implements RateLimiter {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 1000_000,
  ) {}

  when(key: string): number {
    const failures = this.counts.get(key) ?? 0;
    this.counts.set(key, failures + 1);
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(key: string): void {
    this.counts.delete(key);
  }

  failures(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}
