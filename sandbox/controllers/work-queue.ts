import { ApiError } from '../apiserver/api-error.ts';

/**
 * A de-duplicating work queue drained on the next turn of the event loop (never inside a store
 * callback, so watchers always see changes in resourceVersion order). Conflicts retry quickly;
 * other failures retry with back-off.
 */
export class WorkQueue {
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly handler: (key: string) => void,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.pending];
    this.pending.clear();
    for (const key of keys) {
      if (this.stopped) return;
      try {
        this.handler(key);
        this.failures.delete(key);
      } catch (err) {
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        const expected = err instanceof ApiError && (err.code === 409 || err.code === 404);
        if (!expected && n === 1) process.emitWarning(`${this.name} controller failed on ${key}: ${(err as Error).message}`);
        this.addAfter(key, Math.min(expected ? 20 * n : 200 * 2 ** n, 5000));
      }
    }
  }
}
