import { TimeWindow, type Trigger, type WindowAssigner } from '../../../../runtime/api/index.ts';

/** Every element in one never-ending window (for tests of custom triggers). */
export class GlobalCountWindows implements WindowAssigner<number> {
  readonly isEventTime = false;
  readonly isMerging = false;
  assignWindows(): TimeWindow[] {
    return [new TimeWindow(0, Number.MAX_SAFE_INTEGER)];
  }
  defaultTrigger(): Trigger<number> {
    throw new Error('give a trigger');
  }
}
