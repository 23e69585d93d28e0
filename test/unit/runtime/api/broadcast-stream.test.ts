import { describe, expect, it } from '@jest/globals';
import {
  CollectSink,
  ListStateDescriptor,
  MapStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedBroadcastProcessFunction,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type ReadOnlyBroadcastContext,
  type RuntimeContext,
} from '../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

interface Rule {
  word: string;
  weight: number;
  at: number;
}
interface Hit {
  user: string;
  word: string;
  at: number;
}

const RULES = new MapStateDescriptor<string, number>('rules');
const rules: Rule[] = [
  { word: 'big', weight: 3, at: 0 },
  { word: 'small', weight: 1, at: 0 },
];
const hits: Hit[] = Array.from({ length: 30 }, (_, i) => ({ user: `u${i % 4}`, word: ['big', 'small', 'none'][i % 3]!, at: 10 + i }));

/** Weighs hits by event time: a hit waits (a timer) until the watermark passed it, so every earlier rule is in. */
class Weigh implements KeyedBroadcastProcessFunction<string, Hit, Rule, string> {
  private waiting!: ListState<Hit>;
  open(ctx: RuntimeContext): void {
    this.waiting = ctx.getListState(new ListStateDescriptor<Hit>('waiting'));
  }
  processElement(h: Hit, ctx: KeyedProcessContext<string> & ReadOnlyBroadcastContext): void {
    this.waiting.add(h);
    ctx.timerService().registerEventTimeTimer(h.at);
  }
  processBroadcastElement(r: Rule, ctx: { getBroadcastState: (d: typeof RULES) => { put(k: string, v: number): void } }): void {
    ctx.getBroadcastState(RULES).put(r.word, r.weight);
  }
  onTimer(ts: number, ctx: OnTimerContext<string> & ReadOnlyBroadcastContext, out: Collector<string>): void {
    for (const h of this.waiting.get()) if (h.at === ts) out.collect(`${ctx.getCurrentKey()}@${ts}:${ctx.getBroadcastState(RULES).get(h.word) ?? 0}`);
    this.waiting.update(this.waiting.get().filter((h) => h.at !== ts));
  }
}

describe('broadcast state', () => {
  it('keyed.connect(stream.broadcast(descriptor)).process(KeyedBroadcastProcessFunction): every subtask has the rules', async () => {
    const env = localEnvironment().setParallelism(3);
    const ruleStream = env
      .fromCollection(rules)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Rule>().withTimestampAssigner((r) => r.at))
      .broadcast(RULES);
    const out = new CollectSink<string>();
    env
      .fromCollection(hits)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Hit>().withTimestampAssigner((h) => h.at))
      .keyBy((h) => h.user)
      .connect(ruleStream)
      .process(new Weigh())
      .sinkTo(out);
    await env.execute('keyed-broadcast');
    const weight: Record<string, number> = { big: 3, small: 1, none: 0 };
    expect([...out.values].sort()).toEqual(hits.map((h) => `${h.user}@${h.at}:${weight[h.word]}`).sort());
  });

  it('stream.connect(broadcastStream).process(BroadcastProcessFunction): each broadcast record reaches every subtask', async () => {
    const env = localEnvironment().setParallelism(3);
    const out = new CollectSink<string>();
    env
      .fromElements(1, 2, 3, 4)
      .rebalance()
      .connect(env.fromElements('a', 'b').broadcast(new MapStateDescriptor<string, boolean>('seen')))
      .process({
        processElement: (n: number, _ctx, o) => o.collect(`n${n}`),
        processBroadcastElement: (s: string, ctx, o) => {
          ctx.getBroadcastState(new MapStateDescriptor<string, boolean>('seen')).put(s, true);
          o.collect(`b${s}`);
        },
      })
      .sinkTo(out);
    await env.execute('broadcast');
    expect([...out.values].sort()).toEqual(['ba', 'ba', 'ba', 'bb', 'bb', 'bb', 'n1', 'n2', 'n3', 'n4']);
  });
});
