import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { TimeWindow, windowStartFor } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';

function checkSize(size: number, offset: number): void {
  if (!(size > 0)) throw new RangeError(`window size must be > 0 ms, got ${size}`);
  if (!(Math.abs(offset) < size)) throw new RangeError(`window offset must be smaller than the size ${size}, got ${offset}`);
}

/** Fixed-size, non-overlapping windows of event time. */
export class TumblingEventTimeWindows implements WindowAssigner {
  readonly isEventTime = true;
  readonly isMerging = false;
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {}
  static of(sizeMs: number, offsetMs = 0): TumblingEventTimeWindows {
    checkSize(sizeMs, offsetMs);
    return new TumblingEventTimeWindows(sizeMs, offsetMs);
  }
  assignWindows(_e: unknown, timestamp: number): TimeWindow[] {
    const start = windowStartFor(timestamp, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  defaultTrigger(): Trigger {
    return EventTimeTrigger.create();
  }
}

/** Fixed-size, non-overlapping windows of processing time. */
export class TumblingProcessingTimeWindows implements WindowAssigner {
  readonly isEventTime = false;
  readonly isMerging = false;
  private constructor(
    readonly size: number,
    readonly offset: number,
  ) {}
  static of(sizeMs: number, offsetMs = 0): TumblingProcessingTimeWindows {
    checkSize(sizeMs, offsetMs);
    return new TumblingProcessingTimeWindows(sizeMs, offsetMs);
  }
  assignWindows(_e: unknown, _ts: number, now: number): TimeWindow[] {
    const start = windowStartFor(now, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }
  defaultTrigger(): Trigger {
    return ProcessingTimeTrigger.create();
  }
}
