import { describe, expect, it } from '@jest/globals';
import type { KeyedCoProcessFunction } from '../../../../runtime/functions/co-functions.ts';
import type { RuntimeContext } from '../../../../runtime/functions/runtime-context.ts';
import { CoProcessOperator } from '../../../../runtime/operators/co-process-operator.ts';
import { CoStreamMap } from '../../../../runtime/operators/co-stream-map.ts';
import type { TwoInputStreamOperator } from '../../../../runtime/operators/stream-operator.ts';
import { ValueStateDescriptor } from '../../../../runtime/state/state-descriptor.ts';
import { assignStateToSubtask } from '../../../../runtime/state/state-snapshot.ts';
import { keyGroupFor, keyGroupRangeFor } from '../../../../runtime/core/key-group.ts';
import type { ValueState } from '../../../../runtime/state/keyed-state.ts';
import { harness } from '../../../support/operator-harness.ts';

interface Order {
  id: string;
  amount: number;
}
interface Payment {
  order: string;
  paid: number;
}

/** Matches orders with payments by order id; an order unpaid when event time passes its timestamp + 10 is reported. */
function matcher(): KeyedCoProcessFunction<string, Order, Payment, string> {
  return {
    order: undefined as unknown as ValueState<Order>,
    open(this: { order: ValueState<Order> }, ctx: RuntimeContext) {
      this.order = ctx.getState(new ValueStateDescriptor<Order>('order'));
    },
    processElement1(this: { order: ValueState<Order> }, o, ctx) {
      this.order.update(o);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 10);
    },
    processElement2(this: { order: ValueState<Order> }, p, ctx, out) {
      const o = this.order.value();
      out.collect(o ? `${ctx.getCurrentKey()} paid ${p.paid} of ${o.amount}` : `${ctx.getCurrentKey()} paid ${p.paid} before its order`);
      this.order.clear();
    },
    onTimer(this: { order: ValueState<Order> }, ts, ctx, out) {
      const o = this.order.value();
      if (o) out.collect(`${ctx.getCurrentKey()} unpaid at ${ts} (${ctx.timeDomain()})`);
    },
  } as KeyedCoProcessFunction<string, Order, Payment, string>;
}

function keyedHarness() {
  return harness<TwoInputStreamOperator>(new CoProcessOperator(Object.create(matcher())), {
    keySelector: (o) => (o as Order).id,
    keySelector2: (p) => (p as Payment).order,
  });
}

describe('CoProcessOperator on keyed streams', () => {
  it('shares keyed state between the inputs and fires timers at the minimum of both watermarks', () => {
    const h = keyedHarness();
    const op = h.operator;
    op.processElement1({ id: 'a', amount: 5 }, 100);
    op.processElement1({ id: 'b', amount: 7 }, 101);
    op.processElement2({ order: 'a', paid: 5 }, 103);
    op.processElement2({ order: 'c', paid: 1 }, 104);
    expect(h.output).toEqual(['a paid 5 of 5', 'c paid 1 before its order']);
    expect(h.timestamps).toEqual([103, 104]);

    // Input 1 far ahead: the operator's watermark is input 2's, so b's timer (111) waits.
    op.processWatermark1(500);
    op.processWatermark2(110);
    expect(h.watermarks).toEqual([110]);
    expect(h.output).toHaveLength(2);
    op.processWatermark2(111);
    expect(h.output).toEqual(['a paid 5 of 5', 'c paid 1 before its order', 'b unpaid at 111 (event-time)']);
    expect(h.timestamps[2]).toBe(111);
    expect(h.watermarks).toEqual([110, 111]);
  });

  it('lets an idle or ended input stop holding the watermark back', () => {
    const h = keyedHarness();
    const op = h.operator;
    op.processWatermark1(50);
    expect(h.watermarks).toEqual([]);
    op.processIdle2(true);
    expect(h.watermarks).toEqual([50]);
    op.processIdle2(false);
    op.processWatermark2(40);
    op.processWatermark1(60);
    expect(h.watermarks).toEqual([50]);
    op.endInput(2);
    expect(h.watermarks).toEqual([50, 60]);
  });

  it('snapshots the shared state and timers and restores them at another parallelism', () => {
    const h = keyedHarness();
    h.operator.processElement1({ id: 'a', amount: 5 }, 100);
    h.operator.processElement1({ id: 'e', amount: 7 }, 200);
    const snapshot = h.operator.snapshotState(1);
    const owner = (key: string) => [0, 1].find((i) => {
      const r = keyGroupRangeFor(128, 2, i);
      const g = keyGroupFor(key, 128);
      return g >= r.start && g <= r.end;
    })!;
    expect(owner('a')).not.toBe(owner('e'));
    const outputs: unknown[] = [];
    for (const subtaskIndex of [0, 1]) {
      const r = harness<TwoInputStreamOperator>(new CoProcessOperator(Object.create(matcher())), {
        keySelector: (o) => (o as Order).id,
        keySelector2: (p) => (p as Payment).order,
        parallelism: 2,
        subtaskIndex,
        restore: assignStateToSubtask([snapshot], 128, 2, subtaskIndex),
      });
      if (owner('a') === subtaskIndex) r.operator.processElement2({ order: 'a', paid: 3 }, 300);
      r.operator.processWatermark1(1000);
      r.operator.processWatermark2(1000);
      outputs.push(...r.output);
    }
    // Each key lives in exactly one subtask: 'a' is paid there, 'e' fires its restored timer there.
    expect(outputs.sort()).toEqual(['a paid 3 of 5', 'e unpaid at 210 (event-time)']);
  });
});

describe('CoStreamMap', () => {
  it('maps each input with its own method, keeping timestamps', () => {
    const h = harness<TwoInputStreamOperator>(new CoStreamMap<number, string, string>({ map1: (n) => `n${n}`, map2: (s) => s.toUpperCase() }), {});
    h.operator.processElement1(1, 10);
    h.operator.processElement2('x', 20);
    h.operator.processElement1(2, 30);
    expect(h.output).toEqual(['n1', 'X', 'n2']);
    expect(h.timestamps).toEqual([10, 20, 30]);
  });
});
