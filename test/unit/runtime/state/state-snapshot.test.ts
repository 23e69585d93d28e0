import { describe, expect, it } from '@jest/globals';
import type { KeyedProcessFunction } from '../../../../runtime/functions/functions.ts';
import { ProcessOperator } from '../../../../runtime/operators/process-operator.ts';
import { keyGroupFor, keyGroupRangeFor, subtaskForKeyGroup } from '../../../../runtime/core/key-group.ts';
import type { ListState, MapState, ReducingState, ValueState } from '../../../../runtime/state/keyed-state.ts';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../../runtime/state/state-descriptor.ts';
import {
  assignStateToSubtask,
  decodeOperatorSnapshot,
  encodeOperatorSnapshot,
  type OperatorSnapshot,
} from '../../../../runtime/state/state-snapshot.ts';
import { harness, type Harness } from '../../../support/operator-harness.ts';

type Cmd = { key: string; n: number; probe?: boolean };

/** Keeps every kind of keyed state per key, a timer per key and a list entry per subtask; a probe record reports them. */
function stateful(): KeyedProcessFunction<string, Cmd, string> {
  let count: ValueState<number>;
  let seen: ListState<number>;
  let byParity: MapState<string, number>;
  let total: ReducingState<number>;
  let marks: ListState<string>;
  return {
    open(ctx) {
      count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
      seen = ctx.getListState(new ListStateDescriptor<number>('seen'));
      byParity = ctx.getMapState(new MapStateDescriptor<string, number>('by-parity'));
      total = ctx.getReducingState(new ReducingStateDescriptor<number>('total', (a, b) => a + b));
      marks = ctx.getOperatorListState<string>('marks');
      if (marks.get().length === 0) marks.add(`mark-${ctx.getIndexOfThisSubtask()}`);
    },
    processElement(c, ctx, out) {
      if (c.probe) {
        const parity = [...byParity.entries()].sort().map(([k, v]) => `${k}:${v}`).join(',');
        out.collect(`${c.key} count=${count.value()} seen=${seen.get().join('|')} parity=${parity} total=${total.get()}`);
        return;
      }
      count.update(count.value()! + 1);
      seen.add(c.n);
      const p = c.n % 2 === 0 ? 'even' : 'odd';
      byParity.put(p, (byParity.get(p) ?? 0) + 1);
      total.add(c.n);
      ctx.timerService().registerEventTimeTimer(1000 + c.n);
    },
    onTimer(ts, ctx, out) {
      out.collect(`timer ${ctx.getCurrentKey()}@${ts}`);
    },
    close() {},
  };
}

const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
const keySelector = (c: unknown) => (c as Cmd).key;

function run(parallelism: number, restoreFrom?: OperatorSnapshot[]): Harness[] {
  return Array.from({ length: parallelism }, (_, i) =>
    harness(new ProcessOperator(stateful()), {
      keySelector,
      subtaskIndex: i,
      parallelism,
      restore: restoreFrom && assignStateToSubtask(restoreFrom, 128, parallelism, i),
    }),
  );
}

function route(hs: Harness[], c: Cmd): Harness {
  return hs[subtaskForKeyGroup(128, hs.length, keyGroupFor(c.key, 128))]!;
}

describe('keyed state snapshot and restore', () => {
  it.each([
    [2, 3],
    [3, 2],
    [4, 1],
    [1, 4],
  ])('restores every key, state kind and timer written at parallelism %i into parallelism %i', (from, to) => {
    const before = run(from);
    keys.forEach((key, i) => {
      for (let n = 0; n <= i % 4; n++) route(before, { key, n: i * 10 + n }).operator.processElement({ key, n: i * 10 + n }, 0);
    });
    const snapshots = before.map((h) => decodeOperatorSnapshot(encodeOperatorSnapshot(h.operator.snapshotState(7))));
    for (const s of snapshots) {
      const range = keyGroupRangeFor(128, from, s.subtaskIndex);
      expect(s.keyGroupRange).toEqual(range);
      for (const g of s.keyGroups) expect(g.keyGroup >= range.start && g.keyGroup <= range.end).toBe(true);
    }
    const probeAll = (hs: Harness[]) => {
      for (const key of keys) route(hs, { key, n: 0, probe: true }).operator.processElement({ key, n: 0, probe: true }, 0);
      return hs.flatMap((h) => h.output.splice(0)).sort();
    };
    const expected = probeAll(before);
    expect(expected).toHaveLength(keys.length);
    expect(expected).toContain('key-7 count=4 seen=70|71|72|73 parity=even:2,odd:2 total=286');

    const after = run(to, snapshots);
    expect(probeAll(after)).toEqual(expected);

    // Timers travelled with their key groups: the final watermark fires every one exactly once.
    for (const h of after) h.operator.processWatermark(Number.POSITIVE_INFINITY);
    const fired = after.flatMap((h) => h.output as string[]).sort();
    const expectedTimers = keys.flatMap((key, i) => Array.from({ length: (i % 4) + 1 }, (_, n) => `timer ${key}@${1000 + i * 10 + n}`)).sort();
    expect(fired).toEqual(expectedTimers);

    // Operator list state: every old subtask's entry lands on exactly one new subtask.
    const marks = after.flatMap((h) => h.operator.snapshotState(8).operatorState.flatMap((l) => l.entries.length));
    expect(marks.reduce((a, b) => a + b, 0)).toBe(Math.max(from, to));
  });

  it('refuses to restore keyed state into another maxParallelism', () => {
    const [h] = run(1);
    h!.operator.processElement({ key: 'a', n: 1 }, 0);
    const snapshot = h!.operator.snapshotState(1);
    expect(() => assignStateToSubtask([snapshot], 64, 1, 0)).toThrow(
      'operator op-under-test: cannot restore keyed state written with maxParallelism 128 into maxParallelism 64; maxParallelism must not change',
    );
  });
});
