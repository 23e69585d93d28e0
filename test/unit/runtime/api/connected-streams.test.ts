import { describe, expect, it } from '@jest/globals';
import {
  CollectSink,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  WatermarkStrategy,
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';
import { createDeploymentDescriptors } from '../../../../runtime/task/task-deployment-descriptor.ts';

interface Rate {
  currency: string;
  rate: number;
  at: number;
}
interface Trade {
  currency: string;
  amount: number;
  at: number;
}

/**
 * Converts each trade at the rate of its currency valid at the trade's time, by event time: a trade
 * waits in state until the watermark of both inputs passes it (a timer), so every earlier rate is in.
 */
class Converter implements KeyedCoProcessFunction<string, Rate, Trade, string> {
  private rates!: ValueState<[number, number][]>;
  private pending!: ValueState<Trade[]>;

  open(ctx: RuntimeContext): void {
    this.rates = ctx.getState(new ValueStateDescriptor<[number, number][]>('rates'));
    this.pending = ctx.getState(new ValueStateDescriptor<Trade[]>('pending'));
  }

  processElement1(r: Rate): void {
    this.rates.update([...(this.rates.value() ?? []), [r.at, r.rate]]);
  }

  processElement2(t: Trade, ctx: KeyedProcessContext<string>): void {
    this.pending.update([...(this.pending.value() ?? []), t]);
    ctx.timerService().registerEventTimeTimer(t.at);
  }

  onTimer(ts: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const valid = (this.rates.value() ?? []).filter(([at]) => at <= ts).sort((a, b) => a[0] - b[0]);
    const rate = valid.length > 0 ? valid[valid.length - 1]![1] : 'no rate';
    for (const t of this.pending.value() ?? []) if (t.at === ts) out.collect(`${ctx.getCurrentKey()}@${ts}: ${t.amount} x ${rate}`);
    this.pending.update((this.pending.value() ?? []).filter((t) => t.at !== ts));
  }
}

describe('ConnectedStreams', () => {
  it('maps and flat-maps two streams of different types in one operator', async () => {
    const env = localEnvironment().setParallelism(2);
    const numbers = env.fromElements(1, 2, 3);
    const words = env.fromElements('x', 'yy');
    const mapped = new CollectSink<string>();
    const flat = new CollectSink<string>();
    numbers.connect(words).map({ map1: (n) => `n${n}`, map2: (w) => `w${w}` }).sinkTo(mapped);
    numbers
      .connect(words)
      .flatMap({
        flatMap1: (n, out) => {
          for (let i = 0; i < n; i++) out.collect(`n${n}`);
        },
        flatMap2: (w, out) => out.collect(w.length === 1 ? 'short' : 'long'),
      })
      .sinkTo(flat);
    await env.execute('co-map');
    expect([...mapped.values].sort()).toEqual(['n1', 'n2', 'n3', 'wx', 'wyy']);
    expect([...flat.values].sort()).toEqual(['long', 'n1', 'n2', 'n2', 'n3', 'n3', 'n3', 'short']);
  });

  it('keyBy(k1, k2) gives a KeyedCoProcessFunction shared state and event-time timers over both inputs', async () => {
    const env = localEnvironment().setParallelism(3);
    const strategy = <T extends { at: number }>() => WatermarkStrategy.forMonotonousTimestamps<T>().withTimestampAssigner((r) => r.at);
    const rates = env.fromElements<Rate>(
      { currency: 'EUR', rate: 1.1, at: 0 },
      { currency: 'GBP', rate: 1.3, at: 5 },
      { currency: 'EUR', rate: 1.2, at: 20 },
    ).assignTimestampsAndWatermarks(strategy<Rate>());
    const trades = env.fromElements<Trade>(
      { currency: 'EUR', amount: 10, at: 10 },
      { currency: 'GBP', amount: 3, at: 12 },
      { currency: 'EUR', amount: 4, at: 25 },
      { currency: 'JPY', amount: 7, at: 30 },
    ).assignTimestampsAndWatermarks(strategy<Trade>());
    const out = new CollectSink<string>();
    rates
      .connect(trades)
      .keyBy((r) => r.currency, (t) => t.currency)
      .process(new Converter())
      .sinkTo(out);
    await env.execute('keyed-co-process');
    // Each rate source reads all its rates before any watermark; the trades' timers wait for both inputs.
    expect([...out.values].sort()).toEqual(['EUR@10: 10 x 1.1', 'EUR@25: 4 x 1.2', 'GBP@12: 3 x 1.3', 'JPY@30: 7 x no rate']);
  });

  it('connects two keyed streams as keyed connected streams', async () => {
    const env = localEnvironment().setParallelism(2);
    const left = env.fromElements<[string, number]>(['a', 1], ['b', 2]).keyBy(([k]) => k);
    const right = env.fromElements({ k: 'a', v: 10 }, { k: 'b', v: 20 }, { k: 'a', v: 30 }).keyBy((r) => r.k);
    const out = new CollectSink<[string, number]>();
    class Sum implements KeyedCoProcessFunction<string, [string, number], { k: string; v: number }, [string, number]> {
      private sum!: ValueState<number>;
      open(ctx: RuntimeContext): void {
        this.sum = ctx.getState(new ValueStateDescriptor<number>('sum'));
      }
      processElement1([k, n]: [string, number], _ctx: KeyedProcessContext<string>, o: Collector<[string, number]>): void {
        this.add(k, n, o);
      }
      processElement2(r: { k: string; v: number }, _ctx: KeyedProcessContext<string>, o: Collector<[string, number]>): void {
        this.add(r.k, r.v, o);
      }
      private add(k: string, n: number, o: Collector<[string, number]>): void {
        this.sum.update((this.sum.value() ?? 0) + n);
        o.collect([k, this.sum.value()!]);
      }
    }
    left.connect(right).process(new Sum()).sinkTo(out);
    await env.execute('keyed-connect');
    // One subtask holds each key, so its sums grow in order whatever the inputs' interleaving.
    const last = new Map(out.values);
    expect(out.values).toHaveLength(5);
    expect([...last].sort()).toEqual([
      ['a', 41],
      ['b', 22],
    ]);
  });

  it('marks which input each edge and each input channel feeds', () => {
    const env = new StreamExecutionEnvironment().setParallelism(2);
    const a = env.fromElements(1).name('A');
    const b = env.fromElements('x').name('B').setParallelism(2);
    a.connect(b).keyBy((n) => String(n), (s) => s).process({ processElement1: () => {}, processElement2: () => {} }).name('Join').sinkTo(new CollectSink());
    const graph = env.getJobGraph('inputs');
    const join = graph.vertices.find((v) => v.name.startsWith('Join'))!;
    expect(join.head.twoInput).toBe(true);
    expect(join.inputs.map((e) => [e.source.name, e.partitioner.kind, e.inputIndex])).toEqual([
      ['A', 'hash', 0],
      ['B', 'hash', 1],
    ]);
    const d = createDeploymentDescriptors(graph, 'job').find((x) => x.vertexId === join.id && x.subtaskIndex === 1)!;
    expect(d.inputs.map((i) => [i.inputIndex, i.sourceSubtask])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
    ]);
  });

  it('refuses co-functions without both methods when the pipeline is built', () => {
    const env = new StreamExecutionEnvironment();
    const c = env.fromElements(1).connect(env.fromElements(2));
    expect(() => c.map({ map1: (n: number) => n } as never)).toThrow('map() needs an object with a map2() method, got object');
    expect(() => c.process({ processElement1: () => {} } as never)).toThrow('process() needs an object with a processElement2() method');
  });
});
