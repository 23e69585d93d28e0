import { describe, expect, it } from '@jest/globals';
import type { ProcessJoinFunction } from '../../../../runtime/functions/join-functions.ts';
import { OutputTag } from '../../../../runtime/functions/output-tag.ts';
import { IntervalJoinOperator } from '../../../../runtime/operators/interval-join-operator.ts';
import type { TwoInputStreamOperator } from '../../../../runtime/operators/stream-operator.ts';
import { decodeKeyGroup } from '../../../../runtime/state/state-snapshot.ts';
import { harness } from '../../../support/operator-harness.ts';

interface Rec {
  k: string;
  id: string;
}

const pair: ProcessJoinFunction<Rec, Rec, string> = {
  processElement: (l, r, ctx, out) => out.collect(`${l.id}+${r.id}@${ctx.getLeftTimestamp()}/${ctx.getRightTimestamp()}->${ctx.getTimestamp()}`),
};

function join(lower: number, upper: number) {
  return harness<TwoInputStreamOperator>(new IntervalJoinOperator(lower, upper, pair), {
    keySelector: (r) => (r as Rec).k,
    keySelector2: (r) => (r as Rec).k,
  });
}

/** Key groups that still hold state entries or timers. */
function stateLeft(op: TwoInputStreamOperator): number {
  return op
    .snapshotState(1)
    .keyGroups.map((g) => decodeKeyGroup(g.bytes))
    .reduce((n, c) => n + c.timers.length + c.states.reduce((m, [, entries]) => m + entries.length, 0), 0);
}

describe('IntervalJoinOperator', () => {
  it('joins a left record with right records of its key in [t + lower, t + upper], from either side first', () => {
    const h = join(-2, 3);
    const op = h.operator;
    op.processElement2({ k: 'a', id: 'r7' }, 7); // 7 < 10 - 2: out of range
    op.processElement2({ k: 'a', id: 'r8' }, 8);
    op.processElement2({ k: 'b', id: 'rb' }, 10); // another key
    op.processElement1({ k: 'a', id: 'l10' }, 10);
    op.processElement2({ k: 'a', id: 'r13' }, 13);
    op.processElement2({ k: 'a', id: 'r14' }, 14); // 14 > 10 + 3
    op.processElement1({ k: 'a', id: 'l11' }, 11);
    expect(h.output).toEqual([
      'l10+r8@10/8->10',
      'l10+r13@10/13->13',
      'l11+r13@11/13->13',
      'l11+r14@11/14->14',
    ]);
    expect(h.timestamps).toEqual([10, 13, 13, 14]);
  });

  it('cleans both sides up as the watermark passes and drops late records', () => {
    const h = join(-2, 3);
    const op = h.operator;
    op.processElement1({ k: 'a', id: 'l10' }, 10);
    op.processElement2({ k: 'a', id: 'r12' }, 12);
    expect(h.output).toEqual(['l10+r12@10/12->12']);
    op.processWatermark1(13);
    op.processWatermark2(13);
    // l10 could join right records up to 13: gone at watermark 13; r12 waits for left records up to 14.
    op.processElement1({ k: 'a', id: 'l14' }, 14);
    expect(h.output).toEqual(['l10+r12@10/12->12', 'l14+r12@14/12->14']);
    op.processElement2({ k: 'a', id: 'r12late' }, 12);
    expect((op as IntervalJoinOperator<Rec, Rec, string>).droppedLateRecords).toBe(1);
    op.processWatermark1(100);
    op.processWatermark2(100);
    expect(stateLeft(op)).toBe(0);
    expect(h.output).toHaveLength(2);
  });

  it('cleans up with bounds entirely before or after the left record', () => {
    for (const [lower, upper] of [
      [-5, -1],
      [1, 5],
    ] as const) {
      const h = join(lower, upper);
      h.operator.processElement1({ k: 'a', id: 'l' }, 10);
      h.operator.processElement2({ k: 'a', id: 'r' }, 10 + lower);
      h.operator.processElement2({ k: 'a', id: 'r2' }, 10 + upper);
      expect(h.output).toEqual([`l+r@10/${10 + lower}->${Math.max(10, 10 + lower)}`, `l+r2@10/${10 + upper}->${Math.max(10, 10 + upper)}`]);
      h.operator.processWatermark1(1000);
      h.operator.processWatermark2(1000);
      expect(stateLeft(h.operator)).toBe(0);
    }
  });

  it('refuses records without timestamps', () => {
    const h = join(0, 1);
    expect(() => h.operator.processElement1({ k: 'a', id: 'x' }, Number.NEGATIVE_INFINITY)).toThrow('needs records with timestamps');
  });

  it('sends late records to their side’s late data output with their timestamps; a side without one drops and counts them', () => {
    const LEFT = new OutputTag<Rec>('late-left');
    const RIGHT = new OutputTag<Rec>('late-right');
    const lateJoin = (tags: { left?: OutputTag<Rec>; right?: OutputTag<Rec> }) =>
      harness<TwoInputStreamOperator>(new IntervalJoinOperator(-2, 3, pair, tags), {
        keySelector: (r) => (r as Rec).k,
        keySelector2: (r) => (r as Rec).k,
        sideOutputs: ['late-left', 'late-right'],
      });
    const h = lateJoin({ left: LEFT, right: RIGHT });
    const op = h.operator;
    op.processElement1({ k: 'a', id: 'l19' }, 19);
    op.processWatermark1(20);
    op.processWatermark2(20);
    op.processElement1({ k: 'a', id: 'l5' }, 5);
    op.processElement2({ k: 'a', id: 'r19' }, 19);
    op.processElement2({ k: 'b', id: 'r20' }, 20); // at the watermark: not late
    op.processElement1({ k: 'b', id: 'l18' }, 18);
    expect(h.sides.get('late-left')).toEqual([
      [{ k: 'a', id: 'l5' }, 5],
      [{ k: 'b', id: 'l18' }, 18],
    ]);
    expect(h.sides.get('late-right')).toEqual([[{ k: 'a', id: 'r19' }, 19]]);
    expect(h.output).toEqual([]);
    expect((op as IntervalJoinOperator<Rec, Rec, string>).droppedLateRecords).toBe(0);

    const leftOnly = lateJoin({ left: LEFT });
    leftOnly.operator.processWatermark1(20);
    leftOnly.operator.processWatermark2(20);
    leftOnly.operator.processElement1({ k: 'a', id: 'l5' }, 5);
    leftOnly.operator.processElement2({ k: 'a', id: 'r6' }, 6);
    expect(leftOnly.sides.get('late-left')).toEqual([[{ k: 'a', id: 'l5' }, 5]]);
    expect(leftOnly.sides.get('late-right')).toEqual([]);
    expect((leftOnly.operator as IntervalJoinOperator<Rec, Rec, string>).droppedLateRecords).toBe(1);
  });
});
