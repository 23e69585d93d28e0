import { describe, expect, it } from '@jest/globals';
import { CollectSink, type DataStream } from '../../../runtime/api/index.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';
import { WatermarkStrategy } from '../../../runtime/functions/watermark-strategy.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';

type Sale = { shop: string; amount: number };

const sales = (n: number) =>
  new GeneratorSource<Sale>({ count: n, generate: (i) => ({ shop: `shop-${(i * 7) % 13}`, amount: (i % 5) + 1 }) });

/** Final value per key of a rolling aggregate, and the number of records it emitted. */
function finals(values: readonly Sale[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v.shop, v.amount);
  return new Map([...m].sort());
}

describe('keyed reduce at different parallelism', () => {
  const n = 20_000;
  const expected = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const shop = `shop-${(i * 7) % 13}`;
    expected.set(shop, (expected.get(shop) ?? 0) + (i % 5) + 1);
  }

  it.each([1, 2, 3, 4])('gives identical results at parallelism %i', async (p) => {
    const env = localEnvironment().setParallelism(p);
    const sink = new CollectSink<Sale>();
    env
      .fromSource(sales(n), WatermarkStrategy.noWatermarks(), 'Sales')
      .keyBy((s) => s.shop)
      .reduce((a, b) => ({ shop: a.shop, amount: a.amount + b.amount }))
      .uid('totals')
      .sinkTo(sink);
    const result = await env.execute(`parity-${p}`);
    expect(finals(sink.values)).toEqual(new Map([...expected].sort()));
    expect(sink.values.length).toBe(n);
    expect(result.operator('totals')).toMatchObject({ parallelism: p, recordsIn: n, recordsOut: n });
  });

  it('routes union, rebalance and broadcast edges exactly', async () => {
    const env = localEnvironment().setParallelism(3);
    const a = env.fromElements(1, 2, 3);
    const b = env.fromElements(10, 20);
    const unioned = new CollectSink<number>();
    const broadcasted = new CollectSink<number>();
    a.union(b).rebalance().map((x: number) => x * 2).sinkTo(unioned);
    a.broadcast().sinkTo(broadcasted);
    const result = await env.execute('edges');
    expect([...unioned.values].sort((x, y) => x - y)).toEqual([2, 4, 6, 20, 40]);
    expect([...broadcasted.values].sort((x, y) => x - y)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(result.operators.filter((o) => o.name === 'Map').map((o) => [o.parallelism, o.recordsIn])).toEqual([[3, 5]]);
  });

  it('attaches a per-stream serializer to the edges leaving the stream, and local channels do not encode', async () => {
    const env = localEnvironment().setParallelism(2);
    const sink = new CollectSink<string>();
    const serializer = {
      encodeBatch: (): Uint8Array => {
        throw new Error('local channels must not encode');
      },
      decodeBatch: () => [] as string[],
    };
    const stream: DataStream<string> = env.fromElements('x', 'y').map((s: string) => s + s).setSerializer(serializer);
    stream.rebalance().sinkTo(sink);
    const graph = env.getJobGraph('ser');
    expect(graph.edges.map((e) => [e.source.name, e.target.name, e.serializer])).toEqual([
      ['Source: Collection', 'Map', undefined],
      ['Map', 'Sink', serializer],
    ]);
    await env.execute('ser');
    expect([...sink.values].sort()).toEqual(['xx', 'yy']);
  });
});
