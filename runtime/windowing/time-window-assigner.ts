import { EventTimeTrigger } from './event-time-trigger.ts';
import { ProcessingTimeTrigger } from './processing-time-trigger.ts';
import type { TimeWindow } from './time-window.ts';
import type { Trigger } from './trigger.ts';
import type { WindowAssigner } from './window-assigner.ts';

/**
 * Base of the built-in assigners. Each comes as an event-time and a processing-time variant (Flink's
 * TumblingEventTimeWindows / TumblingProcessingTimeWindows, ...) that differ only in the time they
 * read and in their default trigger.
 */
export abstract class TimeWindowAssigner implements WindowAssigner {
  abstract readonly isMerging: boolean;

  protected constructor(readonly isEventTime: boolean) {}

  assignWindows(_element: unknown, timestamp: number, now: number): TimeWindow[] {
    return this.windowsAt(this.isEventTime ? timestamp : now);
  }

  defaultTrigger(): Trigger {
    return this.isEventTime ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }

  /** The windows an element at `time` belongs to. */
  protected abstract windowsAt(time: number): TimeWindow[];
}
