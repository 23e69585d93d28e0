import { describe, expect, it } from '@jest/globals';
import type { BroadcastContext, BroadcastProcessFunction, KeyedBroadcastContext, KeyedBroadcastProcessFunction } from '../../../../runtime/functions/broadcast-functions.ts';
import type { Collector, KeyedProcessContext } from '../../../../runtime/functions/functions.ts';
import type { ReadOnlyBroadcastContext } from '../../../../runtime/functions/broadcast-functions.ts';
import { CoBroadcastOperator } from '../../../../runtime/operators/co-broadcast-operator.ts';
import type { TwoInputStreamOperator } from '../../../../runtime/operators/stream-operator.ts';
import type { ValueState } from '../../../../runtime/state/keyed-state.ts';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../../runtime/state/state-descriptor.ts';
import { assignStateToSubtask, decodeKeyGroup, type OperatorSnapshot } from '../../../../runtime/state/state-snapshot.ts';
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

  it('applyToKeyedState: the broadcast side visits each key of the subtask that holds the state, and may update or clear it', () => {
    const COUNT = new ValueStateDescriptor<number>('count');
    const SEEN = new ListStateDescriptor<string>('seen');
    /** Counts hits per user; a rule "reset" empties every count, any other rule adds its weight to every count. */
    const fn: KeyedBroadcastProcessFunction<string, Hit, Rule, string> & { count?: ValueState<number> } = {
      open(ctx) {
        this.count = ctx.getState(COUNT);
      },
      processElement(this: { count: ValueState<number> }, _h, ctx, out) {
        this.count.update((this.count.value() ?? 0) + 1);
        out.collect(`${ctx.getCurrentKey()}=${this.count.value()}`);
      },
      processBroadcastElement(r, ctx, out) {
        ctx.applyToKeyedState(COUNT, (user, count) => {
          if (r.word === 'reset') count.clear();
          else count.update(count.value()! + r.weight);
          out.collect(`${r.word}:${user}=${count.value() ?? 'cleared'}`);
        });
        // A state no key holds: nobody is visited.
        ctx.applyToKeyedState(SEEN, (user) => out.collect(`seen ${user}`));
      },
    };
    const h = harness<TwoInputStreamOperator>(new CoBroadcastOperator(Object.create(fn), [RULES as MapStateDescriptor<unknown, unknown>]), { keySelector: (x) => (x as Hit).user });
    const op = h.operator;
    op.processElement1({ user: 'ann', word: 'a' }, 1);
    op.processElement1({ user: 'bob', word: 'a' }, 2);
    op.processElement1({ user: 'ann', word: 'a' }, 3);
    op.processElement2({ word: 'bonus', weight: 10 }, 4);
    expect(h.output.slice(3).sort()).toEqual(['bonus:ann=12', 'bonus:bob=11']);
    // The keyed side goes on from the updated counts.
    op.processElement1({ user: 'bob', word: 'a' }, 5);
    expect(h.output.at(-1)).toBe('bob=12');
    op.processElement2({ word: 'reset', weight: 0 }, 6);
    expect(h.output.slice(6).sort()).toEqual(['reset:ann=cleared', 'reset:bob=cleared']);
    // Cleared: no key holds a count any more, so the next rule visits none, and counting starts again.
    op.processElement2({ word: 'bonus', weight: 1 }, 7);
    expect(h.output).toHaveLength(8);
    op.processElement1({ user: 'ann', word: 'a' }, 8);
    expect(h.output.at(-1)).toBe('ann=1');
    expect(op.snapshotState(1).keyGroups.flatMap((g) => decodeKeyGroup(g.bytes).states)).toEqual([['count', [['ann', 1]]]]);
  });

  it('applyToKeyedState needs a keyed stream', () => {
    const h = harness<TwoInputStreamOperator>(
      new CoBroadcastOperator<never, Hit, Rule, string>(
        {
          processElement: () => {},
          processBroadcastElement: (_r: Rule, ctx: BroadcastContext) => (ctx as KeyedBroadcastContext<string>).applyToKeyedState(new ValueStateDescriptor<number>('count'), () => {}),
        },
        [RULES as MapStateDescriptor<unknown, unknown>],
      ),
      {},
    );
    expect(() => h.operator.processElement2({ word: 'x', weight: 1 }, 0)).toThrow('applyToKeyedState() needs a keyed stream connected to the broadcast stream in operator "Under Test"');
  });
});
