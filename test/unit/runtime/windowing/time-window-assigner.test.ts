import { describe, it, expect } from '@jest/globals';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type WindowAssigner,
} from '../../../../runtime/api/index.ts';

const spans = (assigner: WindowAssigner, timestamp: number, now: number) => assigner.assignWindows(undefined, timestamp, now).map((w) => [w.start, w.end]);

describe('window assigners', () => {
  it('event-time variants read the element timestamp and fire on watermarks', () => {
    expect(spans(TumblingEventTimeWindows.of(10), 25, 999)).toEqual([[20, 30]]);
    expect(spans(TumblingEventTimeWindows.of(10, 3), 25, 999)).toEqual([[23, 33]]);
    expect(spans(SlidingEventTimeWindows.of(10, 5), 25, 999)).toEqual([[25, 35], [20, 30]]);
    expect(spans(EventTimeSessionWindows.withGap(7), 25, 999)).toEqual([[25, 32]]);
    for (const a of [TumblingEventTimeWindows.of(10), SlidingEventTimeWindows.of(10, 5), EventTimeSessionWindows.withGap(7)]) {
      expect(a.isEventTime).toBe(true);
      expect(a.defaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    }
  });

  it('processing-time variants read the clock and fire on processing-time timers', () => {
    expect(spans(TumblingProcessingTimeWindows.of(10), 999, 25)).toEqual([[20, 30]]);
    expect(spans(SlidingProcessingTimeWindows.of(10, 5, 1), 999, 25)).toEqual([[21, 31], [16, 26]]);
    expect(spans(ProcessingTimeSessionWindows.withGap(7), 999, 25)).toEqual([[25, 32]]);
    for (const a of [TumblingProcessingTimeWindows.of(10), SlidingProcessingTimeWindows.of(10, 5), ProcessingTimeSessionWindows.withGap(7)]) {
      expect(a.isEventTime).toBe(false);
      expect(a.defaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
    }
  });

  it('only session windows merge', () => {
    expect([TumblingEventTimeWindows.of(10), SlidingProcessingTimeWindows.of(10, 5), EventTimeSessionWindows.withGap(1), ProcessingTimeSessionWindows.withGap(1)].map((a) => a.isMerging)).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('refuses sizes, slides, offsets and gaps that define no windows', () => {
    expect(() => TumblingProcessingTimeWindows.of(0)).toThrow('window size must be > 0 ms, got 0');
    expect(() => TumblingEventTimeWindows.of(10, 10)).toThrow('window offset must be smaller than the size 10, got 10');
    expect(() => SlidingEventTimeWindows.of(10, 0)).toThrow('sliding window size and slide must be > 0 ms, got 10 and 0');
    expect(() => SlidingProcessingTimeWindows.of(10, 5, -5)).toThrow('window offset must be smaller than the slide 5, got -5');
    expect(() => EventTimeSessionWindows.withGap(-1)).toThrow('session gap must be > 0 ms, got -1');
  });
});
