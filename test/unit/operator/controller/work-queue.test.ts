import { describe, it, expect } from '@jest/globals';
import { ExponentialRateLimiter } from '../../../../operator/controller/rate-limiter.ts';
import { WorkQueue } from '../../../../operator/controller/work-queue.ts';
import type { ReconcileResult } from '../../../../operator/controller/reconcile.ts';

/** A handler whose calls wait until the test releases them. */
function gatedHandler() {
  const calls: string[] = [];
  const gates: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const activeKeys = new Set<string>();
  let concurrentSameKey = false;
  const handler = async (key: string): Promise<ReconcileResult> => {
    calls.push(key);
    if (activeKeys.has(key)) concurrentSameKey = true;
    activeKeys.add(key);
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise<void>((release) => gates.push(release));
    active--;
    activeKeys.delete(key);
    return {};
  };
  return {
    handler,
    calls,
    releaseAll: () => gates.splice(0).forEach((g) => g()),
    waiting: () => gates.length,
    get maxActive() {
      return maxActive;
    },
    get concurrentSameKey() {
      return concurrentSameKey;
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('WorkQueue', () => {
  it('queues a waiting key once however often it is added', async () => {
    const h = gatedHandler();
    const queue = new WorkQueue({ concurrency: 1, rateLimiter: new ExponentialRateLimiter(), handler: h.handler });
    queue.add('a');
    await until('a handled', () => h.waiting() === 1);
    queue.add('b');
    queue.add('b');
    queue.add('c');
    queue.add('b');
    expect(queue.depth()).toBe(2);
    h.releaseAll();
    await until('b handled', () => h.waiting() === 1);
    h.releaseAll();
    await until('c handled', () => h.waiting() === 1);
    h.releaseAll();
    await queue.idle();
    expect(h.calls).toEqual(['a', 'b', 'c']);
  });

  it('never handles one key twice at once: added while handled, it runs again afterwards', async () => {
    const h = gatedHandler();
    const queue = new WorkQueue({ concurrency: 4, rateLimiter: new ExponentialRateLimiter(), handler: h.handler });
    queue.add('a');
    await until('a handled', () => h.waiting() === 1);
    queue.add('a');
    queue.add('a');
    expect(queue.depth()).toBe(0);
    h.releaseAll();
    await until('a again', () => h.waiting() === 1);
    h.releaseAll();
    await queue.idle();
    expect(h.calls).toEqual(['a', 'a']);
    expect(h.concurrentSameKey).toBe(false);
  });

  it('bounds concurrency', async () => {
    const h = gatedHandler();
    const queue = new WorkQueue({ concurrency: 3, rateLimiter: new ExponentialRateLimiter(), handler: h.handler });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) queue.add(key);
    await until('three running', () => h.waiting() === 3);
    expect(queue.depth()).toBe(4);
    while (h.calls.length < 7 || h.waiting() > 0) {
      h.releaseAll();
      await new Promise((r) => setTimeout(r, 1));
    }
    await queue.idle();
    expect(h.maxActive).toBe(3);
    expect([...h.calls].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('retries a failing key with exponential backoff and forgets the failures after a success', async () => {
    const limiter = new ExponentialRateLimiter(20, 1000);
    const times: number[] = [];
    let failuresLeft = 3;
    const queue = new WorkQueue({
      concurrency: 1,
      rateLimiter: limiter,
      handler: async () => {
        times.push(Date.now());
        if (failuresLeft-- > 0) throw new Error('transient');
        return {};
      },
    });
    queue.add('a');
    await until('four attempts', () => times.length === 4, 5000);
    await queue.idle();
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 20, 40, 80 ms: each gap at least its delay, and growing.
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
    expect(limiter.failures('a')).toBe(0);
    await queue.stop();
  });

  it('computes client-go\'s delays: base × 2^failures, capped', () => {
    const limiter = new ExponentialRateLimiter(5, 100);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => limiter.when('k'))).toEqual([5, 10, 20, 40, 80, 100, 100]);
    expect(limiter.when('other')).toBe(5);
    limiter.forget('k');
    expect(limiter.when('k')).toBe(5);
  });

  it('requeues after the delay a handler asks for; an earlier pending add wins', async () => {
    const times: number[] = [];
    const start = Date.now();
    const queue = new WorkQueue({
      concurrency: 1,
      rateLimiter: new ExponentialRateLimiter(),
      handler: async () => {
        times.push(Date.now() - start);
        return times.length === 1 ? { requeueAfterMs: 60 } : {};
      },
    });
    queue.add('a');
    await until('requeued', () => times.length === 2);
    expect(times[1]).toBeGreaterThanOrEqual(59);
    queue.addAfter('b', 10_000);
    queue.addAfter('b', 30);
    await until('b', () => times.length === 3);
    await queue.stop();
    expect(times[2]).toBeLessThan(5000);
  });

  it('stops taking keys once stopped', async () => {
    const calls: string[] = [];
    const queue = new WorkQueue({ concurrency: 1, rateLimiter: new ExponentialRateLimiter(), handler: async (k) => (calls.push(k), {}) });
    queue.addAfter('late', 20);
    await queue.stop();
    queue.add('x');
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toEqual([]);
  });
});
