import { describe, expect, it } from '@jest/globals';
import { CollectSink, TumblingEventTimeWindows, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

interface Bid {
  item: number;
  price: number;
  at: number;
}
interface Ask {
  item: number;
  price: number;
  at: number;
}

const bids: Bid[] = Array.from({ length: 80 }, (_, i) => ({ item: i % 6, price: 100 + i, at: i * 13 }));
const asks: Ask[] = Array.from({ length: 70 }, (_, i) => ({ item: i % 4, price: 200 + i, at: i * 17 + 5 }));
const SIZE = 100;
const windowOf = (at: number) => Math.floor(at / SIZE);

function inputs(env: StreamExecutionEnvironment) {
  const b = env.fromCollection(bids).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Bid>().withTimestampAssigner((x) => x.at));
  const a = env.fromCollection(asks).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ask>().withTimestampAssigner((x) => x.at));
  return { b, a };
}

describe('window joins', () => {
  it('join().where().equalTo().window().apply() pairs the records of a key in each window', async () => {
    const env = localEnvironment().setParallelism(3);
    const { b, a } = inputs(env);
    const out = new CollectSink<string>();
    b.join(a)
      .where((x) => x.item)
      .equalTo((x) => x.item)
      .window(TumblingEventTimeWindows.of(SIZE))
      .apply((x, y) => `${x.item}:${x.price}/${y.price}`)
      .sinkTo(out);
    await env.execute('window-join');
    const expected: string[] = [];
    for (const x of bids) for (const y of asks) if (x.item === y.item && windowOf(x.at) === windowOf(y.at)) expected.push(`${x.item}:${x.price}/${y.price}`);
    expect(expected.length).toBeGreaterThan(20);
    expect([...out.values].sort()).toEqual(expected.sort());
  });

  it('coGroup() sees every key of a window with the records of both inputs, one side possibly empty', async () => {
    const env = localEnvironment().setParallelism(2);
    const { b, a } = inputs(env);
    const out = new CollectSink<string>();
    b.coGroup(a)
      .where((x) => x.item)
      .equalTo((x) => x.item)
      .window(TumblingEventTimeWindows.of(SIZE))
      .apply({
        coGroup: (xs, ys, o) => o.collect(`${(xs[0] ?? ys[0])!.item}@${windowOf((xs[0] ?? ys[0])!.at)}: ${xs.map((x) => x.price).join(',')} | ${ys.map((y) => y.price).join(',')}`),
      })
      .sinkTo(out);
    await env.execute('co-group');
    const groups = new Map<string, { xs: number[]; ys: number[] }>();
    const group = (item: number, at: number) => {
      const k = `${item}@${windowOf(at)}`;
      if (!groups.has(k)) groups.set(k, { xs: [], ys: [] });
      return groups.get(k)!;
    };
    for (const x of bids) group(x.item, x.at).xs.push(x.price);
    for (const y of asks) group(y.item, y.at).ys.push(y.price);
    const expected = [...groups].map(([k, g]) => `${k}: ${g.xs.join(',')} | ${g.ys.join(',')}`);
    expect(expected.some((e) => e.endsWith('| '))).toBe(true);
    expect([...out.values].sort()).toEqual(expected.sort());
  });
});
