import { describe, expect, it } from '@jest/globals';
import { parseWindowId, windowId, WindowIds } from '../../../../runtime/operators/window-ids.ts';
import { TimeWindow } from '../../../../runtime/windowing/time-window.ts';

describe('WindowIds', () => {
  it('gives each window its start:end id, also for windows of one start and another end and past its capacity', () => {
    const ids = new WindowIds();
    expect(ids.of(new TimeWindow(0, 10))).toBe('0:10');
    expect(ids.of(new TimeWindow(0, 10))).toBe('0:10');
    // A session window that grew: same start, later end.
    expect(ids.of(new TimeWindow(0, 25))).toBe('0:25');
    expect(ids.of(new TimeWindow(0, 10))).toBe('0:10');
    for (let s = 0; s < 3000; s++) expect(ids.of(new TimeWindow(s * 7, s * 7 + 100))).toBe(`${s * 7}:${s * 7 + 100}`);
    expect(ids.of(new TimeWindow(-5, 1_700_000_000_000))).toBe('-5:1700000000000');
  });

  it('parses an id back into its window', () => {
    const w = parseWindowId(windowId(new TimeWindow(-20, 1_796_600_010_000)));
    expect([w.start, w.end]).toEqual([-20, 1_796_600_010_000]);
  });
});
