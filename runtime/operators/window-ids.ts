import { TimeWindow } from '../windowing/time-window.ts';

/** A window's id, `start:end`: its namespace in keyed state and timers. */
export function windowId(w: TimeWindow): string {
  return `${w.start}:${w.end}`;
}

export function parseWindowId(id: string): TimeWindow {
  const i = id.indexOf(':');
  return new TimeWindow(Number(id.slice(0, i)), Number(id.slice(i + 1)));
}

/** Windows remembered at most; then the memory starts afresh (session windows have a start per key). */
const CAPACITY = 1024;

/**
 * The ids of the windows a window operator's elements were assigned to lately, by start: an
 * element of a window seen before reuses its id instead of building a string per element and
 * window, and the state and timer Maps it is looked up in reuse the hash V8 keeps on the string.
 */
export class WindowIds {
  private readonly byStart = new Map<number, { readonly end: number; readonly id: string }>();

  of(w: TimeWindow): string {
    const known = this.byStart.get(w.start);
    if (known !== undefined && known.end === w.end) return known.id;
    const id = windowId(w);
    if (this.byStart.size >= CAPACITY) this.byStart.clear();
    this.byStart.set(w.start, { end: w.end, id });
    return id;
  }
}
