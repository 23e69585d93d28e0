import { describe, expect, it } from '@jest/globals';
import type { TwoInputStreamOperator } from '../../../../runtime/operators/stream-operator.ts';
import { StreamTwoInputProcessor } from '../../../../runtime/task/stream-two-input-processor.ts';

/** Records every call a task makes into its head operator. */
function recordingOperator(): TwoInputStreamOperator & { calls: string[] } {
  const calls: string[] = [];
  const input: Pick<TwoInputStreamOperator, 'recordsIn' | 'processElement1' | 'processElement2' | 'processWatermark1' | 'processWatermark2' | 'processIdle1' | 'processIdle2' | 'endInput'> = {
    recordsIn: 0,
    processElement1: (v) => void calls.push(`1:${String(v)}`),
    processElement2: (v) => void calls.push(`2:${String(v)}`),
    processWatermark1: (ts) => void calls.push(`wm1:${ts}`),
    processWatermark2: (ts) => void calls.push(`wm2:${ts}`),
    processIdle1: (idle) => void calls.push(`idle1:${idle}`),
    processIdle2: (idle) => void calls.push(`idle2:${idle}`),
    endInput: (n) => void calls.push(`end${n}`),
  };
  return Object.assign(input as TwoInputStreamOperator, { calls });
}

describe('StreamTwoInputProcessor', () => {
  // Channels 0 and 1 feed input 1, channels 2, 3 and 4 input 2.
  const inputOf = [0, 0, 1, 1, 1] as const;

  it('routes each channel to its input and counts the records', () => {
    const op = recordingOperator();
    const p = new StreamTwoInputProcessor(op, inputOf, (e) => e as Error);
    p.processBatch({ values: ['a', 'b'], timestamps: [1, 2] }, 1);
    p.processBatch({ values: ['c'], timestamps: [3] }, 4);
    expect(op.calls).toEqual(['1:a', '1:b', '2:c']);
    expect(op.recordsIn).toBe(3);
  });

  it("gives each input the minimum watermark over that input's channels only", () => {
    const op = recordingOperator();
    const p = new StreamTwoInputProcessor(op, inputOf, (e) => e as Error);
    p.processWatermark(0, 10);
    p.processWatermark(2, 5);
    p.processWatermark(3, 7);
    expect(op.calls).toEqual([]);
    p.processWatermark(1, 20);
    expect(op.calls).toEqual(['wm1:10']);
    p.processWatermark(4, 6);
    expect(op.calls).toEqual(['wm1:10', 'wm2:5']);
    p.processIdle(2, true);
    expect(op.calls).toEqual(['wm1:10', 'wm2:5', 'wm2:6']);
  });

  it('ends an input when all its channels ended, and the task input when both did', () => {
    const op = recordingOperator();
    const p = new StreamTwoInputProcessor(op, inputOf, (e) => e as Error);
    expect(p.endChannel(2)).toBe(false);
    expect(p.endChannel(0)).toBe(false);
    expect(p.endChannel(1)).toBe(false);
    expect(op.calls).toEqual(['end1']);
    expect(p.endChannel(3)).toBe(false);
    expect(p.endChannel(4)).toBe(true);
    expect(op.calls).toEqual(['end1', 'end2']);
  });

  it('names the operator when it fails and refuses an input without channels', () => {
    const op = recordingOperator();
    op.processElement2 = () => {
      throw new Error('bad record');
    };
    const p = new StreamTwoInputProcessor(op, inputOf, (e) => new Error(`operator "Join" failed: ${(e as Error).message}`));
    expect(() => p.processBatch({ values: ['x'], timestamps: [0] }, 2)).toThrow('operator "Join" failed: bad record');
    expect(() => new StreamTwoInputProcessor(op, [0, 0], (e) => e as Error)).toThrow('input 2 has none');
  });
});
