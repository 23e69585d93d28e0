import { TimeWindow, windowStartFor } from './time-window.ts';
import { TimeWindowAssigner } from './time-window-assigner.ts';

/** Fixed-size, non-overlapping windows. */
abstract class TumblingWindows extends TimeWindowAssigner {
  readonly isMerging = false;

  protected constructor(
    isEventTime: boolean,
    readonly size: number,
    readonly offset: number,
  ) {
    super(isEventTime);
    if (!(size > 0)) throw new RangeError(`window size must be > 0 ms, got ${size}`);
    if (!(Math.abs(offset) < size)) throw new RangeError(`window offset must be smaller than the size ${size}, got ${offset}`);
  }

  protected windowsAt(time: number): TimeWindow[] {
    const start = windowStartFor(time, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
}

/** Fixed-size, non-overlapping windows of event time. */
export class TumblingEventTimeWindows extends TumblingWindows {
  static of(sizeMs: number, offsetMs = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(true, sizeMs, offsetMs);
  }
}

/** Fixed-size, non-overlapping windows of processing time. */
export class TumblingProcessingTimeWindows extends TumblingWindows {
  static of(sizeMs: number, offsetMs = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(false, sizeMs, offsetMs);
  }
}
