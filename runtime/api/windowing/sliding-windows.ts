import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { TimeWindow, windowStartFor } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';

function slidingWindows(time: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  for (let start = windowStartFor(time, offset, slide); start > time - size; start -= slide) {
    windows.push(new TimeWindow(start, start + size));
  }
  return windows;
}

function check(size: number, slide: number, offset: number): void {
  if (!(size > 0) || !(slide > 0)) throw new RangeError(`sliding window size and slide must be > 0 ms, got ${size} and ${slide}`);
  if (!(Math.abs(offset) < slide)) throw new RangeError(`window offset must be smaller than the slide ${slide}, got ${offset}`);
}

/** Windows of `size` starting every `slide` of event time; an element belongs to size/slide windows. */
export class SlidingEventTimeWindows implements WindowAssigner {
  readonly isEventTime = true;
  readonly isMerging = false;
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {}
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingEventTimeWindows {
    check(sizeMs, slideMs, offsetMs);
    return new SlidingEventTimeWindows(sizeMs, slideMs, offsetMs);
  }
  assignWindows(_e: unknown, timestamp: number): TimeWindow[] {
    return slidingWindows(timestamp, this.size, this.slide, this.offset);
  }
  defaultTrigger(): Trigger {
    return EventTimeTrigger.create();
  }
}

export class SlidingProcessingTimeWindows implements WindowAssigner {
  readonly isEventTime = false;
  readonly isMerging = false;
  private constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {}
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingProcessingTimeWindows {
    check(sizeMs, slideMs, offsetMs);
    return new SlidingProcessingTimeWindows(sizeMs, slideMs, offsetMs);
  }
  assignWindows(_e: unknown, _ts: number, now: number): TimeWindow[] {
    return slidingWindows(now, this.size, this.slide, this.offset);
  }
  defaultTrigger(): Trigger {
    return ProcessingTimeTrigger.create();
  }
}
