import type { TimeWindow } from './time-window.ts';
import type { Trigger } from './trigger.ts';

/** Assigns each element to zero or more windows, as Flink's WindowAssigner. */
export interface WindowAssigner<T = unknown> {
  /** `timestamp` is the element's event time; `now` the processing time. */
  assignWindows(element: T, timestamp: number, now: number): TimeWindow[];
  defaultTrigger(): Trigger<T>;
  readonly isEventTime: boolean;
  /** Session windows: overlapping windows of a key merge into one. */
  readonly isMerging: boolean;
}
