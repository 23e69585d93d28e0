import type { TimeWindow } from './time-window.ts';

/** What a trigger decides for a window: evaluate it (fire), drop its contents (purge), both, or nothing. */
export type TriggerResult = 'continue' | 'fire' | 'purge' | 'fire-and-purge';

/** Timers and time as a trigger sees them, scoped to the current key and window. */
export interface TriggerContext {
  currentWatermark(): number;
  currentProcessingTime(): number;
  registerEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}

/** Decides when a window is evaluated, as Flink's Trigger. */
export interface Trigger<T = unknown> {
  onElement(element: T, timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  /** Session windows merged into `window`: re-register what the merged windows had. */
  onMerge(window: TimeWindow, ctx: TriggerContext): void;
  /** The window is being discarded: remove its timers. */
  clear(window: TimeWindow, ctx: TriggerContext): void;
}
