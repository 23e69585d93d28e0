import {
  ExactlyOnceFileSink,
  MapStateDescriptor,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  ValueStateDescriptor,
  type KeyedBroadcastProcessFunction,
  type KeyedCoProcessFunction,
  type MapState,
  type ValueState,
  type RuntimeContext,
  type StreamExecutionEnvironment,
} from '../../../../runtime/api/index.ts';
import { CollectionSource } from '../../../../runtime/connectors/collection-source.ts';
import { eventSource, order, payment, USERS, type Event } from './orders-and-payments.ts';

/** A rule of the broadcast side: the tier of a user. */
export interface Rule {
  readonly user: number;
  readonly tier: string;
}

export const WINDOW_MS = 100;
export const RULES: readonly Rule[] = Array.from({ length: USERS }, (_, user) => ({ user, tier: `tier-${(user * 3) % 5}` }));
const TIERS = new MapStateDescriptor<number, string>('tiers');

/**
 * Every line an uninterrupted run commits: `[user, tier, order, payment]`, the window join by
 * definition, and `[user, 'counted', orders, payments]` per user.
 */
export function expectedJoin(total: number): string[] {
  const lines: string[] = [];
  // Orders and payments n of one window: n from 10 w to 10 w + 9.
  const perWindow = WINDOW_MS / 10;
  for (let o = 0; o < total; o++) {
    const first = o - (o % perWindow);
    for (let p = first; p < Math.min(total, first + perWindow); p++) {
      const [l, r] = [order(o), payment(p)];
      if (l.user === r.user && Math.floor(l.at / WINDOW_MS) === Math.floor(r.at / WINDOW_MS)) lines.push(JSON.stringify([l.user, RULES[l.user]!.tier, o, p]));
    }
  }
  // The keyed co-process's count per user: as many orders as payments.
  for (let user = 0; user < USERS; user++) {
    let n = 0;
    for (let i = 0; i < total; i++) if (order(i).user === user) n++;
    lines.push(JSON.stringify([user, 'counted', n, n]));
  }
  return lines.sort();
}

/**
 * Orders enriched with their user's tier from broadcast state, then window-joined with payments of
 * the same user in 100 ms tumbling event-time windows, committed by the exactly-once file sink. The
 * rules are a bounded broadcast stream read once at the start: after a restore their source has
 * nothing left to read, so every tier comes from the broadcast state in the checkpoint. An order
 * waits in keyed state for the watermark (an event-time timer at its time), which passes only once
 * the rules' input ended, so each order meets every rule. Beside it a keyed co-process counts each
 * user's orders and payments in keyed state shared by both inputs and emits the counts once event
 * time passed every record (a timer). Stable uids: a run restores another at any parallelism.
 * Args: output directory, records per side, records per second per side.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [output, total, rate] = [args[0]!, Number(args[1]), Number(args[2])];
  const rules = env
    .fromSource(new CollectionSource(RULES), WatermarkStrategy.forMonotonousTimestamps<Rule>().withTimestampAssigner(() => 0), 'Rules')
    .uid('rules')
    .setParallelism(1)
    .broadcast(TIERS);
  const orders = eventSource(env, 'Orders', order, total, rate);
  const payments = eventSource(env, 'Payments', payment, total, rate);
  const enriched = orders
    .keyBy((o) => o.user)
    .connect(rules)
    .process({
      pending: undefined as unknown as MapState<number, Event>,
      open(this: { pending: MapState<number, Event> }, ctx: RuntimeContext) {
        this.pending = ctx.getMapState(new MapStateDescriptor<number, Event>('pending'));
      },
      processElement(this: { pending: MapState<number, Event> }, o, ctx) {
        this.pending.put(o.at, o);
        ctx.timerService().registerEventTimeTimer(o.at);
      },
      processBroadcastElement: (rule, ctx) => ctx.getBroadcastState(TIERS).put(rule.user, rule.tier),
      onTimer(this: { pending: MapState<number, Event> }, at, ctx, out) {
        const o = this.pending.get(at)!;
        this.pending.remove(at);
        out.collect({ ...o, tier: ctx.getBroadcastState(TIERS).get(o.user) ?? 'no tier' });
      },
    } as KeyedBroadcastProcessFunction<number, Event, Rule, Event & { tier: string }>)
    .uid('enrich');
  const afterLastRecord = total * 10 + 10;
  const counted = orders
    .connect(payments)
    .keyBy(
      (o) => o.user,
      (p) => p.user,
    )
    .process({
      counts: undefined as unknown as ValueState<[number, number]>,
      open(this: { counts: ValueState<[number, number]> }, ctx: RuntimeContext) {
        this.counts = ctx.getState(new ValueStateDescriptor<[number, number]>('counts', [0, 0]));
      },
      processElement1(this: { counts: ValueState<[number, number]> }, _o, ctx) {
        const [o, p] = this.counts.value()!;
        this.counts.update([o + 1, p]);
        ctx.timerService().registerEventTimeTimer(afterLastRecord);
      },
      processElement2(this: { counts: ValueState<[number, number]> }, _p, ctx) {
        const [o, p] = this.counts.value()!;
        this.counts.update([o, p + 1]);
        ctx.timerService().registerEventTimeTimer(afterLastRecord);
      },
      onTimer(this: { counts: ValueState<[number, number]> }, _at, ctx, out) {
        const [o, p] = this.counts.value()!;
        out.collect([ctx.getCurrentKey(), 'counted', o, p]);
      },
    } as KeyedCoProcessFunction<number, Event, Event, [number, string, number, number]>)
    .uid('counts');
  enriched
    .join(payments)
    .where((o) => o.user)
    .equalTo((p) => p.user)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .apply((o, p): [number, string, number, number] => [o.user, o.tier, o.n, p.n])
    .uid('window-join')
    .union(counted)
    .sinkTo(new ExactlyOnceFileSink<[number, string, number, number]>(output))
    .uid('committed-pairs');
};
