/** A window of event or processing time, [start, end). */
export class TimeWindow {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** The largest timestamp that still belongs to the window; results carry it. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** Whether the windows overlap or touch (session windows merge then). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }
}

/** Start of the window of length `size` (shifted by `offset`) that contains `timestamp`. */
export function windowStartFor(timestamp: number, offset: number, size: number): number {
  return timestamp - ((((timestamp - offset) % size) + size) % size);
}
