import type { TimeWindow } from './time-window.ts';
import type { Trigger, TriggerContext, TriggerResult } from './trigger.ts';

/** Fires when processing time passes the window's end. */
export class ProcessingTimeTrigger implements Trigger {
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }
  onElement(_e: unknown, _ts: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'continue';
  }
  onEventTime(): TriggerResult {
    return 'continue';
  }
  onProcessingTime(): TriggerResult {
    return 'fire';
  }
  onMerge(window: TimeWindow, ctx: TriggerContext): void {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
}
