import type { InternalTimer } from './timer-index.ts';

/** The timers due at one timestamp, in the order they were added; `live` counts those not deleted. */
interface Due {
  readonly timers: InternalTimer[];
  live: number;
}

/**
 * Timers of one domain by due time: a min-heap of the distinct timestamps, each with the array of
 * timers due then. Timers cluster on few timestamps (every key's window ends at the same moment; at
 * high rates a millisecond holds thousands of events, each with its cleanup timer), so adding a
 * timer is a Map lookup and an array push, and the heap holds timestamps, not timers. Deleted
 * timers stay in their array (the firing loop skips them) until their timestamp is taken out.
 */
export class TimerQueue {
  private readonly heap: number[] = [];
  private readonly due = new Map<number, Due>();

  add(t: InternalTimer): void {
    const d = this.due.get(t.timestamp);
    if (d !== undefined) {
      d.timers.push(t);
      d.live++;
      return;
    }
    this.due.set(t.timestamp, { timers: [t], live: 1 });
    this.push(t.timestamp);
  }

  /** `t`, added and not yet taken out, was deleted. */
  deleted(t: InternalTimer): void {
    const d = this.due.get(t.timestamp);
    if (d !== undefined) d.live--;
  }

  /** The earliest timestamp with a timer that was not deleted; timestamps with none left are dropped. */
  nextTimestamp(): number | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const ts = h[0]!;
      if (this.due.get(ts)!.live > 0) return ts;
      this.removeEarliest();
    }
    return undefined;
  }

  /**
   * The timers due at `timestamp` (one `nextTimestamp` returned), deleted ones included, in the order
   * they were added; timers added for that timestamp meanwhile are appended, until `fired`.
   */
  dueAt(timestamp: number): readonly InternalTimer[] {
    return this.due.get(timestamp)!.timers;
  }

  /**
   * The timers due at `timestamp` fired: they are dropped. Its entry stays until it is the earliest
   * (a callback may have added an earlier timestamp); a timer added for it meanwhile is due again.
   */
  fired(timestamp: number): void {
    const d = this.due.get(timestamp)!;
    d.timers.length = 0;
    d.live = 0;
  }

  /** Takes the earliest timestamp and its timers out. */
  private removeEarliest(): void {
    const h = this.heap;
    this.due.delete(h[0]!);
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]! < h[l]! ? r : l;
      if (h[c]! >= last) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }

  private push(timestamp: number): void {
    const h = this.heap;
    let i = h.push(timestamp) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= timestamp) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = timestamp;
  }
}
