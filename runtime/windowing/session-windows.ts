import { TimeWindow } from './time-window.ts';
import { TimeWindowAssigner } from './time-window-assigner.ts';

/** Per-key sessions: activity separated by less than `gap` belongs to one (merged) window. */
abstract class SessionWindows extends TimeWindowAssigner {
  readonly isMerging = true;

  protected constructor(
    isEventTime: boolean,
    readonly gap: number,
  ) {
    super(isEventTime);
    if (!(gap > 0)) throw new RangeError(`session gap must be > 0 ms, got ${gap}`);
  }

  protected windowsAt(time: number): TimeWindow[] {
    return [new TimeWindow(time, time + this.gap)];
  }
}

/** Sessions of event time. */
export class EventTimeSessionWindows extends SessionWindows {
  static withGap(gapMs: number): EventTimeSessionWindows {
    return new EventTimeSessionWindows(true, gapMs);
  }
}

/** Sessions of processing time. */
export class ProcessingTimeSessionWindows extends SessionWindows {
  static withGap(gapMs: number): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(false, gapMs);
  }
}
