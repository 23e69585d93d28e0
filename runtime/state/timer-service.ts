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

/** A timer as the service keeps it: chained to the other timers of its key (see TimerIndex). */
class HeapTimer implements Timer {
  deleted = false;
  next: HeapTimer | undefined = undefined;
  constructor(
    readonly timestamp: number,
    readonly key: Key,
    readonly namespace: string,
  ) {}
}

/** Min-heap of timers by timestamp. */
class TimerQueue {
  private readonly heap: HeapTimer[] = [];
  get size(): number {
    return this.heap.length;
  }
  peek(): HeapTimer | undefined {
    return this.heap[0];
  }
  push(t: HeapTimer): void {
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
  pop(): HeapTimer | undefined {
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

/** Timers a key may chain before its timers are indexed by timestamp. */
const CHAIN_LIMIT = 8;

/**
 * The live timers of one key group and domain, for deduplication and deletion by (key, namespace,
 * timestamp) without building an id per timer: per key, its timers chained through `next` (most
 * keys have a few), or once a key has more than CHAIN_LIMIT, a Map from timestamp to the chain of
 * that timestamp's timers (one per namespace).
 */
class TimerIndex {
  private readonly byKey = new Map<Key, HeapTimer | Map<number, HeapTimer>>();
  size = 0;

  get(key: Key, timestamp: number, namespace: string): HeapTimer | undefined {
    const e = this.byKey.get(key);
    let t = e instanceof Map ? e.get(timestamp) : e;
    for (; t !== undefined; t = t.next) if (t.timestamp === timestamp && t.namespace === namespace) return t;
    return undefined;
  }

  /** A new timer of `key` at `timestamp` in `namespace`, or undefined when that timer is already there. */
  add(key: Key, timestamp: number, namespace: string): HeapTimer | undefined {
    const e = this.byKey.get(key);
    let t: HeapTimer;
    if (e === undefined) {
      this.byKey.set(key, (t = new HeapTimer(timestamp, key, namespace)));
    } else if (e instanceof Map) {
      const head = e.get(timestamp);
      for (let x = head; x !== undefined; x = x.next) if (x.namespace === namespace) return undefined;
      t = new HeapTimer(timestamp, key, namespace);
      t.next = head;
      e.set(timestamp, t);
    } else {
      let n = 0;
      for (let x: HeapTimer | undefined = e; x !== undefined; x = x.next, n++) if (x.timestamp === timestamp && x.namespace === namespace) return undefined;
      t = new HeapTimer(timestamp, key, namespace);
      if (n < CHAIN_LIMIT) {
        t.next = e;
        this.byKey.set(key, t);
      } else {
        const byTimestamp = new Map<number, HeapTimer>();
        for (let x: HeapTimer | undefined = t; x !== undefined; ) {
          const following: HeapTimer | undefined = x === t ? e : x.next;
          x.next = byTimestamp.get(x.timestamp);
          byTimestamp.set(x.timestamp, x);
          x = following;
        }
        this.byKey.set(key, byTimestamp);
      }
    }
    this.size++;
    return t;
  }

  /** Removes `t`, which is in the index. */
  remove(t: HeapTimer): void {
    const e = this.byKey.get(t.key)!;
    if (e instanceof Map) {
      const head = e.get(t.timestamp)!;
      const rest = unlink(head, t);
      if (rest === undefined) {
        e.delete(t.timestamp);
        if (e.size === 0) this.byKey.delete(t.key);
      } else if (rest !== head) e.set(t.timestamp, rest);
    } else {
      const rest = unlink(e, t);
      if (rest === undefined) this.byKey.delete(t.key);
      else if (rest !== e) this.byKey.set(t.key, rest);
    }
    t.next = undefined;
    this.size--;
  }

  *values(): IterableIterator<HeapTimer> {
    for (const e of this.byKey.values()) {
      for (const head of e instanceof Map ? e.values() : [e]) for (let t: HeapTimer | undefined = head; t !== undefined; t = t.next) yield t;
    }
  }
}

/** The chain starting at `head` without `t` (which is in it): its new head, or undefined when empty. */
function unlink(head: HeapTimer, t: HeapTimer): HeapTimer | undefined {
  if (head === t) return t.next;
  let p = head;
  while (p.next !== t) p = p.next!;
  p.next = t.next;
  return head;
}

/**
 * Event- and processing-time timers of one keyed operator, deduplicated per (key, namespace,
 * timestamp) and indexed by key group so they are snapshotted with the keyed state.
 */
export class InternalTimerService {
  private readonly queues = [new TimerQueue(), new TimerQueue()];
  /** Per domain, per key group index: the live timers. */
  private readonly byGroup: TimerIndex[][];
  private watermark = Number.NEGATIVE_INFINITY;
  private scheduledAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly range: KeyGroupRange,
    private readonly time: ProcessingTimeService,
    private readonly target: Triggerable,
  ) {
    const size = range.end - range.start + 1;
    this.byGroup = [0, 1].map(() => Array.from({ length: size }, () => new TimerIndex()));
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
    const group = this.byGroup[d]![this.backend.currentGroupIndex]!;
    const t = group.get(this.backend.getCurrentKey(), timestamp, namespace);
    if (t) {
      t.deleted = true;
      group.remove(t);
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
    const t = this.byGroup[d]![keyGroup - this.range.start]!.add(key, timestamp, namespace);
    if (t === undefined) return;
    this.queues[d]!.push(t);
    if (d === 1 && timestamp < this.scheduledAt) this.scheduleNext();
  }

  private fire(d: 0 | 1, upTo: number): void {
    const q = this.queues[d]!;
    for (let t = q.peek(); t !== undefined && t.timestamp <= upTo; t = q.peek()) {
      q.pop();
      if (t.deleted) continue;
      this.byGroup[d]![this.backend.setCurrentKey(t.key)]!.remove(t);
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
