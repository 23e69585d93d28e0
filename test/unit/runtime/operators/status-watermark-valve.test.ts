import { describe, expect, it } from '@jest/globals';
import { StatusWatermarkValve } from '../../../../runtime/operators/status-watermark-valve.ts';

describe('StatusWatermarkValve', () => {
  it('emits the minimum over active channels, ignoring idle and ended ones', () => {
    const out: string[] = [];
    const v = new StatusWatermarkValve(3, (ts) => out.push(`wm ${ts}`), (idle) => out.push(`idle ${idle}`));
    v.inputWatermark(0, 10);
    v.inputWatermark(1, 5);
    expect(out).toEqual([]);
    v.inputWatermark(2, 7);
    expect(out).toEqual(['wm 5']);
    v.inputIdle(1, true);
    expect(out).toEqual(['wm 5', 'wm 7']);
    v.inputEnded(2);
    expect(out).toEqual(['wm 5', 'wm 7', 'wm 10']);
    v.inputIdle(0, true);
    expect(out).toEqual(['wm 5', 'wm 7', 'wm 10', 'idle true']);
    v.inputIdle(1, false);
    expect(out).toEqual(['wm 5', 'wm 7', 'wm 10', 'idle true', 'idle false']);
    v.inputWatermark(1, 20);
    expect(out.at(-1)).toBe('wm 20');
  });
});
