import type { RateLimiter } from './rate-limiter.ts';
import type { Reconcile } from './reconcile.ts';

/** Handles one key; what it may return, and what a rejection means, is {@link Reconcile}'s contract. */
export type KeyHandler = Reconcile['reconcile'];

export interface WorkQueueOptions {
  concurrency: number;
  rateLimiter: RateLimiter;
  handler: KeyHandler;
  /** Called with every key whose handler threw, before its retry is scheduled. */
  onError?: (key: string, error: unknown) => void;
}

/**
 * A work queue of StreamJob keys with client-go's guarantees: a key waiting is queued once however
 * often it is added; a key is never handled by two workers at once (added while being handled, it is
 * handled again afterwards); a handler that rejects is retried with per-key exponential backoff (its
 * `rateLimiter`), one that asks for `requeueAfterMs` is re-added after that delay; at most
 * `concurrency` keys are handled at a time.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: WorkQueueOptions) {}

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.pump();
  }

  /** Adds `key` after `delayMs`; an earlier pending add of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.options.rateLimiter.when(key));
  }

  /** Keys waiting to be handled (not those being handled or delayed). */
  depth(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is queued or being handled (delayed adds do not count). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking keys, drops delayed adds, and waits for the handlers under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    await this.idle();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.dirty.delete(key);
      this.processing.add(key);
      this.active++;
      void this.handle(key);
    }
    if (this.queue.length === 0 && this.active === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async handle(key: string): Promise<void> {
    try {
      const result = await this.options.handler(key);
      this.options.rateLimiter.forget(key);
      if (result.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      this.options.onError?.(key, error);
      this.addRateLimited(key);
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirty.has(key) && !this.stopped) this.queue.push(key);
      this.pump();
    }
  }
}
