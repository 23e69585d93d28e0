import { describe, expect, it } from '@jest/globals';
import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

interface Click {
  user: number;
  at: number;
}
interface View {
  user: number;
  at: number;
  page: string;
}

const clicks: Click[] = Array.from({ length: 60 }, (_, i) => ({ user: i % 5, at: i * 7 }));
const views: View[] = Array.from({ length: 50 }, (_, i) => ({ user: i % 4, at: i * 9 + 3, page: `p${i}` }));

/** The interval join by definition: every pair of one user with the view's time in the click's interval. */
function reference(lower: number, upper: number): string[] {
  const out: string[] = [];
  for (const c of clicks) for (const v of views) if (c.user === v.user && v.at >= c.at + lower && v.at <= c.at + upper) out.push(`${c.user}:${c.at}-${v.page}@${Math.max(c.at, v.at)}`);
  return out.sort();
}

async function run(bounds: (j: ReturnType<typeof build>) => ReturnType<ReturnType<typeof build>['between']>): Promise<string[]> {
  const env = localEnvironment().setParallelism(3);
  const out = new CollectSink<string>();
  bounds(build(env)).process({ processElement: (c, v, ctx, o) => o.collect(`${c.user}:${c.at}-${v.page}@${ctx.getTimestamp()}`) }).sinkTo(out);
  await env.execute('interval-join');
  return [...out.values].sort();
}

function build(env: StreamExecutionEnvironment) {
  const c = env
    .fromCollection(clicks)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Click>().withTimestampAssigner((x) => x.at))
    .keyBy((x) => x.user);
  const v = env
    .fromCollection(views)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<View>().withTimestampAssigner((x) => x.at))
    .keyBy((x) => x.user);
  return c.intervalJoin(v);
}

describe('KeyedStream.intervalJoin', () => {
  it('joins each pair of a key once, with inclusive bounds', async () => {
    const expected = reference(-10, 20);
    expect(expected.length).toBeGreaterThan(20);
    expect(await run((j) => j.between(-10, 20))).toEqual(expected);
  });

  it('honours exclusive bounds', async () => {
    expect(await run((j) => j.between(-9, 18).lowerBoundExclusive().upperBoundExclusive())).toEqual(reference(-8, 17));
  });

  it('refuses bounds that leave no interval', () => {
    const env = new StreamExecutionEnvironment();
    expect(() => build(env).between(5, 1)).toThrow('between(5, 1): the lower bound must not be above the upper bound');
    expect(() => build(env).between(1, 1).lowerBoundExclusive().process({ processElement: () => {} })).toThrow("the interval join's bounds leave no time");
  });
});
