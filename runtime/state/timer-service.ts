import type { Key } from '../core/key.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { KeyGroupRange } from '../core/key-group.ts';

/** Timers as a user function sees them: scoped to the current key. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}

export type TimeDomain = 'event-time' | 'processing-time';

/** A registered timer: fires for `key` at `timestamp`; `namespace` tells timers of one key apart (e.g. windows). */
export interface Timer {
  readonly timestamp: number;
  readonly key: Key;
  readonly namespace: string;
  /** Lazily removed from the queue when deleted. */
  deleted: boolean;
}

/** Called when a timer fires, with the timer's key already set as current key. */
export interface Triggerable {
  onEventTime(timer: Timer): void;
  onProcessingTime(timer: Timer): void;
}

/** A timer in snapshot form: [domain (0 event, 1 processing), timestamp, key, namespace]. */
export type TimerEntry = [0 | 1, number, Key, string];

/** Min-heap of timers by timestamp. */
class TimerQueue {
  private readonly heap: Timer[] = [];
  get size(): number {
    return this.heap.length;
  }
  peek(): Timer | undefined {
    return this.heap[0];
  }
  push(t: Timer): void {
    const h = this.heap;
    let i = h.push(t) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.timestamp <= t.timestamp) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
  }
  pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]!.timestamp < h[l]!.timestamp ? r : l;
        if (h[c]!.timestamp >= last.timestamp) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function timerId(timestamp: number, key: Key, namespace: string): string {
  return `${timestamp}\u0000${typeof key}:${String(key)}\u0000${namespace}`;
}

/**
 * Event- and processing-time timers of one keyed operator, deduplicated per (key, namespace,
 * timestamp) and indexed by key group so they are snapshotted with the keyed state.
 */
export class InternalTimerService {
  private readonly queues = [new TimerQueue(), new TimerQueue()];
  /** Per domain, per key group index: live timers by id. */
  private readonly byGroup: Map<string, Timer>[][];
  private watermark = Number.NEGATIVE_INFINITY;
  private scheduledAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly range: KeyGroupRange,
    private readonly time: ProcessingTimeService,
    private readonly target: Triggerable,
  ) {
    const size = range.end - range.start + 1;
    this.byGroup = [0, 1].map(() => Array.from({ length: size }, () => new Map<string, Timer>()));
  }

  currentWatermark(): number {
    return this.watermark;
  }

  currentProcessingTime(): number {
    return this.time.now();
  }

  register(domain: TimeDomain, timestamp: number, namespace = ''): void {
    this.add(domain === 'event-time' ? 0 : 1, timestamp, this.backend.getCurrentKey(), namespace, this.backend.getCurrentKeyGroup());
  }

  delete(domain: TimeDomain, timestamp: number, namespace = ''): void {
    const d = domain === 'event-time' ? 0 : 1;
    const group = this.byGroup[d]![this.backend.getCurrentKeyGroup() - this.range.start]!;
    const id = timerId(timestamp, this.backend.getCurrentKey(), namespace);
    const t = group.get(id);
    if (t) {
      t.deleted = true;
      group.delete(id);
    }
  }

  /** Fires every event-time timer at or before `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): void {
    this.watermark = watermark;
    this.fire(0, watermark);
  }

  /** Fires every processing-time timer at or before `now`. */
  advanceProcessingTime(now: number): void {
    this.scheduledAt = Number.POSITIVE_INFINITY;
    this.fire(1, now);
    this.scheduleNext();
  }

  /** Number of live timers (event, processing). */
  counts(): [number, number] {
    const count = (d: number) => this.byGroup[d]!.reduce((n, g) => n + g.size, 0);
    return [count(0), count(1)];
  }

  snapshotKeyGroup(keyGroup: number): TimerEntry[] {
    const out: TimerEntry[] = [];
    for (const d of [0, 1] as const) {
      for (const t of this.byGroup[d]![keyGroup - this.range.start]!.values()) out.push([d, t.timestamp, t.key, t.namespace]);
    }
    return out;
  }

  restoreKeyGroup(keyGroup: number, timers: readonly TimerEntry[]): void {
    for (const [d, ts, key, ns] of timers) this.add(d, ts, key, ns, keyGroup);
  }

  private add(d: 0 | 1, timestamp: number, key: Key, namespace: string, keyGroup: number): void {
    const group = this.byGroup[d]![keyGroup - this.range.start]!;
    const id = timerId(timestamp, key, namespace);
    if (group.has(id)) return;
    const t: Timer = { timestamp, key, namespace, deleted: false };
    group.set(id, t);
    this.queues[d]!.push(t);
    if (d === 1 && timestamp < this.scheduledAt) this.scheduleNext();
  }

  private fire(d: 0 | 1, upTo: number): void {
    const q = this.queues[d]!;
    for (let t = q.peek(); t !== undefined && t.timestamp <= upTo; t = q.peek()) {
      q.pop();
      if (t.deleted) continue;
      this.backend.setCurrentKey(t.key);
      this.byGroup[d]![this.backend.getCurrentKeyGroup() - this.range.start]!.delete(timerId(t.timestamp, t.key, t.namespace));
      if (d === 0) this.target.onEventTime(t);
      else this.target.onProcessingTime(t);
    }
  }

  private scheduleNext(): void {
    const q = this.queues[1]!;
    while (q.peek()?.deleted) q.pop();
    const next = q.peek();
    if (next === undefined || next.timestamp >= this.scheduledAt) return;
    this.scheduledAt = next.timestamp;
    this.time.schedule(next.timestamp, () => this.advanceProcessingTime(this.time.now()));
  }
}
