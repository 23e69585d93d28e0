import type { TimeWindow } from './time-window.ts';
import type { Trigger, TriggerContext, TriggerResult } from './trigger.ts';

/** Fires when the watermark passes the window's end; again for each late element within allowed lateness. */
export class EventTimeTrigger implements Trigger {
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }
  onElement(_e: unknown, _ts: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.currentWatermark()) return 'fire';
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'continue';
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? 'fire' : 'continue';
  }
  onProcessingTime(): TriggerResult {
    return 'continue';
  }
  onMerge(window: TimeWindow, ctx: TriggerContext): void {
    if (window.maxTimestamp() > ctx.currentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}
