import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import { TimeWindow } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';

function checkGap(gap: number): void {
  if (!(gap > 0)) throw new RangeError(`session gap must be > 0 ms, got ${gap}`);
}

/** Per-key sessions of event time: activity separated by less than `gap` belongs to one window. */
export class EventTimeSessionWindows implements WindowAssigner {
  readonly isEventTime = true;
  readonly isMerging = true;
  private constructor(readonly gap: number) {}
  static withGap(gapMs: number): EventTimeSessionWindows {
    checkGap(gapMs);
    return new EventTimeSessionWindows(gapMs);
  }
  assignWindows(_e: unknown, timestamp: number): TimeWindow[] {
    return [new TimeWindow(timestamp, timestamp + this.gap)];
  }
  defaultTrigger(): Trigger {
    return EventTimeTrigger.create();
  }
}

export class ProcessingTimeSessionWindows implements WindowAssigner {
  readonly isEventTime = false;
  readonly isMerging = true;
  private constructor(readonly gap: number) {}
  static withGap(gapMs: number): ProcessingTimeSessionWindows {
    checkGap(gapMs);
    return new ProcessingTimeSessionWindows(gapMs);
  }
  assignWindows(_e: unknown, _ts: number, now: number): TimeWindow[] {
    return [new TimeWindow(now, now + this.gap)];
  }
  defaultTrigger(): Trigger {
    return ProcessingTimeTrigger.create();
  }
}
