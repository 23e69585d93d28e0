import { TimeWindow, windowStartFor } from './time-window.ts';
import { TimeWindowAssigner } from './time-window-assigner.ts';

/** Windows of `size` starting every `slide`; an element belongs to size/slide windows. */
abstract class SlidingWindows extends TimeWindowAssigner {
  readonly isMerging = false;

  protected constructor(
    isEventTime: boolean,
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super(isEventTime);
    if (!(size > 0) || !(slide > 0)) throw new RangeError(`sliding window size and slide must be > 0 ms, got ${size} and ${slide}`);
    if (!(Math.abs(offset) < slide)) throw new RangeError(`window offset must be smaller than the slide ${slide}, got ${offset}`);
  }

  protected windowsAt(time: number): TimeWindow[] {
    const windows: TimeWindow[] = [];
    for (let start = windowStartFor(time, this.offset, this.slide); start > time - this.size; start -= this.slide) {
      windows.push(new TimeWindow(start, start + this.size));
    }
    return windows;
  }
}

/** Sliding windows of event time. */
export class SlidingEventTimeWindows extends SlidingWindows {
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(true, sizeMs, slideMs, offsetMs);
  }
}

/** Sliding windows of processing time. */
export class SlidingProcessingTimeWindows extends SlidingWindows {
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(false, sizeMs, slideMs, offsetMs);
  }
}
