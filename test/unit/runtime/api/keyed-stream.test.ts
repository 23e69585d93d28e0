import { describe, expect, it } from '@jest/globals';
import {
  CollectSink,
  OutputTag,
  WatermarkStrategy,
  type RuntimeContext,
  type TimeWindow,
  type Trigger,
  type TriggerContext,
  type TriggerResult,
} from '../../../../runtime/api/index.ts';
import { GlobalCountWindows } from '../windowing/global-count-windows.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

describe('keyed aggregations', () => {
  it('sums, mins and maxes a field per key, keeping the first record for the other fields', async () => {
    const env = localEnvironment();
    const sums = new CollectSink<[string, number, string]>();
    const mins = new CollectSink<{ k: string; v: number; tag: string }>();
    const maxes = new CollectSink<number>();
    env
      .fromElements<[string, number, string]>(['a', 3, 'x'], ['b', 1, 'y'], ['a', 4, 'z'])
      .keyBy(([k]) => k)
      .sum(1)
      .sinkTo(sums);
    env
      .fromElements({ k: 'a', v: 5, tag: 'first' }, { k: 'a', v: 2, tag: 'second' }, { k: 'a', v: 9, tag: 'third' })
      .keyBy((r) => r.k)
      .min('v')
      .sinkTo(mins);
    env.fromElements(4, 9, 2, 7).keyBy(() => 'all').max().sinkTo(maxes);
    await env.execute('aggregations');
    expect(sums.values).toEqual([
      ['a', 3, 'x'],
      ['b', 1, 'y'],
      ['a', 7, 'x'],
    ]);
    expect(mins.values).toEqual([
      { k: 'a', v: 5, tag: 'first' },
      { k: 'a', v: 2, tag: 'first' },
      { k: 'a', v: 2, tag: 'first' },
    ]);
    expect(maxes.values).toEqual([4, 9, 9, 9]);
  });

  it('fails clearly when summing something that is not a number', async () => {
    const env = localEnvironment();
    env
      .fromElements({ k: 'a', v: 'x' as unknown as number }, { k: 'a', v: 'y' as unknown as number })
      .keyBy((r) => r.k)
      .sum('v')
      .name('Sum V')
      .sinkTo(new CollectSink());
    await expect(env.execute('bad-sum')).rejects.toThrow(/operator "Sum V" .* failed: sum\(\) needs numbers, got string and string/);
  });
});

describe('timers and triggers', () => {
  it('does not fire a deleted event-time timer', async () => {
    const env = localEnvironment();
    const out = new CollectSink<string>();
    env
      .fromElements(1, 2, 3)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n))
      .keyBy((n) => n % 2)
      .process<string>({
        processElement(n, ctx) {
          ctx.timerService().registerEventTimeTimer(100 + n);
          if (n === 3) ctx.timerService().deleteEventTimeTimer(101);
        },
        onTimer(ts, ctx, o) {
          o.collect(`${ctx.getCurrentKey()}@${ts}`);
        },
      })
      .sinkTo(out);
    await env.execute('delete-timer');
    expect(out.values).toEqual(['0@102', '1@103']);
  });

  it('runs a custom trigger and assigner', async () => {
    const env = localEnvironment();
    const out = new CollectSink<number[]>();
    const late = new OutputTag<number>('late');
    /** Fires and purges every 2 elements. */
    const everyTwo: Trigger<number> & { counts: Map<string, number> } = {
      counts: new Map(),
      onElement(_e: number, _ts: number, w: TimeWindow, _ctx: TriggerContext): TriggerResult {
        const k = `${w.start}`;
        const c = (this.counts.get(k) ?? 0) + 1;
        this.counts.set(k, c % 2);
        return c % 2 === 0 ? 'fire-and-purge' : 'continue';
      },
      onEventTime: () => 'continue',
      onProcessingTime: () => 'continue',
      onMerge() {},
      clear() {},
    };
    env
      .fromElements(1, 2, 3, 4, 5)
      .keyBy(() => 'k')
      .window(new GlobalCountWindows())
      .trigger(everyTwo)
      .sideOutputLateData(late)
      .process<number[]>({
        process(_k, _ctx, elements, o) {
          o.collect([...elements]);
        },
      })
      .sinkTo(out);
    await env.execute('custom-trigger');
    expect(out.values).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('pipeline-building errors', () => {
  it('names the API call and what it got', () => {
    const env = localEnvironment();
    const s = env.fromElements(1);
    expect(() => s.map(42 as never)).toThrow('map() needs a function or an object with a map() method, got number');
    expect(() => s.keyBy(undefined as never)).toThrow('keyBy() needs a function, got undefined');
    expect(() => s.process((() => 1) as never)).toThrow('process() needs an object with a processElement() method, got function');
    expect(() => s.keyBy((n) => n).reduce({} as never)).toThrow('reduce() needs a function or an object with a reduce() method, got object');
    expect(() => s.keyBy((n) => n).window(new GlobalCountWindows()).aggregate({ add: () => 0 } as never)).toThrow(
      'aggregate() needs an AggregateFunction with a createAccumulator() method',
    );
    expect(() => s.rebalance().uid('x')).toThrow('uid() applies to an operator, not to "rebalance"; call it right after the operator');
  });
});

describe('rich functions', () => {
  it('get an instance per subtask, so what open() sets on `this` belongs to the subtask', async () => {
    const env = localEnvironment().setParallelism(3);
    const out = new CollectSink<string>();
    const closed: number[] = [];
    const tagger = {
      index: -1,
      open(ctx: RuntimeContext) {
        this.index = ctx.getIndexOfThisSubtask();
      },
      map(n: number) {
        return `${n}@${this.index}`;
      },
      close() {
        closed.push(this.index);
      },
    };
    env.fromElements(1, 2, 3, 4, 5, 6).rebalance().map(tagger).sinkTo(out);
    await env.execute('rich');
    expect([...out.values].sort()).toEqual(['1@0', '2@1', '3@2', '4@0', '5@1', '6@2']);
    expect([...closed].sort()).toEqual([0, 1, 2]);
    expect(tagger.index).toBe(-1);
  });
});
