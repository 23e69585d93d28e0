import { describe, expect, it } from '@jest/globals';
import { CollectSink, OutputTag, StreamExecutionEnvironment, WatermarkStrategy } from '../../../../runtime/api/index.ts';
import type { TwoInputStreamOperator } from '../../../../runtime/operators/stream-operator.ts';
import { harness } from '../../../support/operator-harness.ts';
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

  it('sideOutputLeftLateData/sideOutputRightLateData: late records of each side go to its tag, read with getSideOutput', () => {
    const env = new StreamExecutionEnvironment();
    const lateClicks = new OutputTag<Click>('late-clicks');
    const lateViews = new OutputTag<View>('late-views');
    const joined = build(env)
      .between(-10, 20)
      .sideOutputLeftLateData(lateClicks)
      .sideOutputRightLateData(lateViews)
      .process({ processElement: (c, v, _ctx, o) => o.collect(`${c.at}-${v.page}`) });
    expect(joined.getSideOutput(lateClicks).transformation.spec.sideOutputTag).toBe(lateClicks);
    // The operator the job would run, driven by hand: both inputs at watermark 100, then a late record of each side.
    const spec = joined.transformation.spec;
    const h = harness<TwoInputStreamOperator>(spec.createOperator!() as TwoInputStreamOperator, {
      keySelector: spec.keySelector,
      keySelector2: spec.keySelector2,
      sideOutputs: ['late-clicks', 'late-views'],
    });
    h.operator.processWatermark1(100);
    h.operator.processWatermark2(100);
    h.operator.processElement1({ user: 1, at: 99 }, 99);
    h.operator.processElement2({ user: 1, at: 98, page: 'p' }, 98);
    h.operator.processElement1({ user: 1, at: 100 }, 100);
    expect(h.sides.get('late-clicks')).toEqual([[{ user: 1, at: 99 }, 99]]);
    expect(h.sides.get('late-views')).toEqual([[{ user: 1, at: 98, page: 'p' }, 98]]);
    expect(h.output).toEqual([]);
  });
});
