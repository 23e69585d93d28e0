import { describe, expect, it } from '@jest/globals';
import type { BroadcastContext, BroadcastProcessFunction, KeyedBroadcastProcessFunction } from '../../../../runtime/functions/broadcast-functions.ts';
import type { Collector, KeyedProcessContext } from '../../../../runtime/functions/functions.ts';
import type { ReadOnlyBroadcastContext } from '../../../../runtime/functions/broadcast-functions.ts';
import { CoBroadcastOperator } from '../../../../runtime/operators/co-broadcast-operator.ts';
import type { TwoInputStreamOperator } from '../../../../runtime/operators/stream-operator.ts';
import { MapStateDescriptor } from '../../../../runtime/state/state-descriptor.ts';
import { assignStateToSubtask, type OperatorSnapshot } from '../../../../runtime/state/state-snapshot.ts';
import { harness } from '../../../support/operator-harness.ts';

interface Rule {
  word: string;
  weight: number;
}
interface Hit {
  user: string;
  word: string;
}

const RULES = new MapStateDescriptor<string, number>('rules');

/** Weighs each hit by the rule of its word (0 without one); rules come on the broadcast side. */
const weigh: KeyedBroadcastProcessFunction<string, Hit, Rule, string> = {
  processElement: (h, ctx, out) => out.collect(`${ctx.getCurrentKey()}:${h.word}=${ctx.getBroadcastState(RULES).get(h.word) ?? 0}`),
  processBroadcastElement: (r, ctx) => ctx.getBroadcastState(RULES).put(r.word, r.weight),
};

/** The same without keys (a BroadcastProcessFunction), so any subtask takes any hit. */
const weighUnkeyed: BroadcastProcessFunction<Hit, Rule, string> = {
  processElement: (h, ctx, out) => out.collect(`${h.word}=${ctx.getBroadcastState(RULES).get(h.word) ?? 0}`),
  processBroadcastElement: (r, ctx) => ctx.getBroadcastState(RULES).put(r.word, r.weight),
};

function operator(subtaskIndex: number, parallelism: number, restore?: ReturnType<typeof assignStateToSubtask>) {
  return harness<TwoInputStreamOperator>(new CoBroadcastOperator<never, Hit, Rule, string>(weighUnkeyed, [RULES as MapStateDescriptor<unknown, unknown>]), {
    subtaskIndex,
    parallelism,
    restore,
  });
}

describe('CoBroadcastOperator', () => {
  it('lets the broadcast side write the broadcast state and the keyed side read it', () => {
    const h = harness<TwoInputStreamOperator>(new CoBroadcastOperator(weigh, [RULES as MapStateDescriptor<unknown, unknown>]), { keySelector: (x) => (x as Hit).user });
    h.operator.processElement1({ user: 'ann', word: 'big' }, 1);
    h.operator.processElement2({ word: 'big', weight: 3 }, 2);
    h.operator.processElement1({ user: 'bob', word: 'big' }, 3);
    h.operator.processElement2({ word: 'big', weight: 5 }, 4);
    h.operator.processElement1({ user: 'ann', word: 'big' }, 5);
    expect(h.output).toEqual(['ann:big=0', 'bob:big=3', 'ann:big=5']);
  });

  it('snapshots the broadcast state once (subtask 0) and gives all of it to every subtask of a restore at any parallelism', () => {
    const before = [operator(0, 2), operator(1, 2)];
    for (const h of before) for (const [word, weight] of [['big', 3], ['small', 1]] as const) h.operator.processElement2({ word, weight }, 0);
    const snapshots: OperatorSnapshot[] = before.map((h) => h.operator.snapshotState(7));
    expect(snapshots.map((s) => s.operatorState.map((l) => [l.name, l.mode, l.entries.length]))).toEqual([[['broadcast:rules', 'broadcast', 2]], []]);
    for (const parallelism of [1, 3]) {
      for (let i = 0; i < parallelism; i++) {
        const h = operator(i, parallelism, assignStateToSubtask(snapshots, 128, parallelism, i));
        h.operator.processElement1({ user: 'ann', word: 'small' }, 1);
        h.operator.processElement1({ user: 'ann', word: 'big' }, 1);
        expect(h.output).toEqual(['small=1', 'big=3']);
      }
    }
  });

  it('refuses broadcast state that was not declared, and writes from the keyed side', () => {
    const other = new MapStateDescriptor<string, number>('other');
    const h = harness<TwoInputStreamOperator>(
      new CoBroadcastOperator<string, Hit, Rule, string>(
        {
          processElement: () => {},
          processBroadcastElement: (_r: Rule, ctx: BroadcastContext) => ctx.getBroadcastState(other).put('x', 1),
        },
        [RULES as MapStateDescriptor<unknown, unknown>],
      ),
      { keySelector: (x) => (x as Hit).user },
    );
    expect(() => h.operator.processElement2({ word: 'x', weight: 1 }, 0)).toThrow('broadcast state "other" was not declared');
    const readOnly = new CoBroadcastOperator<string, Hit, Rule, string>(
      {
        processElement: (_h: Hit, ctx: KeyedProcessContext<string> & ReadOnlyBroadcastContext, out: Collector<string>) => out.collect(typeof (ctx.getBroadcastState(RULES) as unknown as { put?: unknown }).put),
        processBroadcastElement: () => {},
      },
      [RULES as MapStateDescriptor<unknown, unknown>],
    );
    const r = harness<TwoInputStreamOperator>(readOnly, { keySelector: (x) => (x as Hit).user });
    r.operator.processElement1({ user: 'ann', word: 'big' }, 0);
    expect(r.output).toEqual(['undefined']);
  });
});
