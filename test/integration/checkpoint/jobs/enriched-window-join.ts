import {
  ExactlyOnceFileSink,
  MapStateDescriptor,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type KeyedBroadcastProcessFunction,
  type MapState,
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

/** Every `[user, tier, order, payment]` line an uninterrupted run commits: the window join by definition. */
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
  return lines.sort();
}

/**
 * Orders enriched with their user's tier from broadcast state, then window-joined with payments of
 * the same user in 100 ms tumbling event-time windows, committed by the exactly-once file sink. The
 * rules are a bounded broadcast stream read once at the start: after a restore their source has
 * nothing left to read, so every tier comes from the broadcast state in the checkpoint. An order
 * waits in keyed state for the watermark (an event-time timer at its time), which passes only once
 * the rules' input ended, so each order meets every rule. Stable uids: a run restores another at
 * any parallelism.
 * Args: output directory, records per side, records per second per side.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [output, total, rate] = [args[0]!, Number(args[1]), Number(args[2])];
  const rules = env
    .fromSource(new CollectionSource(RULES), WatermarkStrategy.forMonotonousTimestamps<Rule>().withTimestampAssigner(() => 0), 'Rules')
    .uid('rules')
    .setParallelism(1)
    .broadcast(TIERS);
  const enriched = eventSource(env, 'Orders', order, total, rate)
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
  enriched
    .join(eventSource(env, 'Payments', payment, total, rate))
    .where((o) => o.user)
    .equalTo((p) => p.user)
    .window(TumblingEventTimeWindows.of(WINDOW_MS))
    .apply((o, p): [number, string, number, number] => [o.user, o.tier, o.n, p.n])
    .uid('window-join')
    .sinkTo(new ExactlyOnceFileSink<[number, string, number, number]>(output))
    .uid('committed-pairs');
};
