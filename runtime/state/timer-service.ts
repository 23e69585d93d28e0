import type { Key } from '../core/key.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';
import type { HeapKeyedStateBackend } from './heap-keyed-state-backend.ts';
import type { KeyGroupRange } from '../core/key-group.ts';
import { TimerIndex } from './timer-index.ts';
import { TimerQueue } from './timer-queue.ts';

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
      this.queues[d]!.deleted(t);
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
    this.queues[d]!.add(t);
    if (d === 1 && timestamp < this.scheduledAt) this.scheduleNext();
  }

  private fire(d: 0 | 1, upTo: number): void {
    const q = this.queues[d]!;
    const groups = this.byGroup[d]!;
    for (let ts = q.nextTimestamp(); ts !== undefined && ts <= upTo; ts = q.nextTimestamp()) {
      // A timer a callback registers for this same timestamp joins this array and fires in this loop.
      const due = q.dueAt(ts);
      for (let i = 0; i < due.length; i++) {
        const t = due[i]!;
        if (t.deleted) continue;
        groups[this.backend.setCurrentKey(t.key)]!.remove(t);
        if (d === 0) this.target.onEventTime(t);
        else this.target.onProcessingTime(t);
      }
      q.fired(ts);
    }
  }

  private scheduleNext(): void {
    const next = this.queues[1]!.nextTimestamp();
    if (next === undefined || next >= this.scheduledAt) return;
    this.scheduledAt = next;
    this.time.schedule(next, () => this.advanceProcessingTime(this.time.now()));
  }
}
