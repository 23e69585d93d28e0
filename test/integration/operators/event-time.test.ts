import { describe, expect, it } from '@jest/globals';
import {
  CollectSink,
  EventTimeSessionWindows,
  OutputTag,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ValueStateDescriptor,
  WatermarkStrategy,
  type AggregateFunction,
  type Collector,
  type KeyedProcessFunction,
  type ProcessWindowFunction,
  type Source,
  type SourceReader,
  type TimeWindow,
  type ValueState,
  type WindowContext,
} from '../../../runtime/api/index.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';
import { StaticSplitEnumerator } from '../../../runtime/connectors/static-split-enumerator.ts';
import { STRIDE_SPLIT_SERIALIZER, STRIDE_SPLITS_SERIALIZER, strideSplits, type StrideSplit } from '../../../runtime/connectors/stride-split.ts';
import type { SplitEnumeratorContext } from '../../../runtime/connectors/split-enumerator-context.ts';

type Event = { key: string; ts: number };
const ev = (key: string, ts: number): Event => ({ key, ts });

/** Watermark = timestamp - delay after every event: a deterministic bounded out-of-orderness for tests. */
function punctuated(delay: number): WatermarkStrategy<Event> {
  return WatermarkStrategy.forGenerator<Event>(() => ({
    onEvent: (_e, ts, out) => out.emitWatermark(ts - delay),
    onPeriodicEmit() {},
  })).withTimestampAssigner((e) => e.ts);
}

/** Labels each window result with its key and bounds. */
const label: ProcessWindowFunction<number | string, string, string, TimeWindow> = {
  process(key: string, ctx: WindowContext<TimeWindow>, elements: readonly (number | string)[], out: Collector<string>) {
    out.collect(`${key}[${ctx.window().start},${ctx.window().end})=${elements[0]}`);
  },
};

/** One source subtask with punctuated watermarks, so watermarks follow the input order exactly. */
function events(env: StreamExecutionEnvironment, input: Event[], delay: number) {
  return env.fromCollection(input).assignTimestampsAndWatermarks(punctuated(delay)).setParallelism(1);
}

describe('event-time windows', () => {
  it('tumbling: fires at the watermark, re-fires for allowed-late elements, and sends too-late ones to the side output', async () => {
    const env = localEnvironment();
    const late = new OutputTag<Event>('late');
    const out = new CollectSink<string>();
    const lateSink = new CollectSink<Event>();
    const input = [ev('a', 1), ev('a', 12), ev('a', 5), ev('a', 20), ev('a', 3), ev('a', 16), ev('b', 30)];
    const windowed = events(env, input, 3)
      .map((e: Event) => ({ key: e.key, ts: e.ts }))
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(5)
      .sideOutputLateData(late)
      .reduce((a, b) => ({ key: a.key, ts: a.ts + b.ts }), {
        process(key: string, ctx: WindowContext<TimeWindow>, els: readonly Event[], o: Collector<string>) {
          label.process(key, ctx, [els[0]!.ts], o);
        },
      });
    windowed.sinkTo(out);
    windowed.getSideOutput(late).sinkTo(lateSink);
    await env.execute('tumbling');
    expect(out.values).toEqual(['a[0,10)=1', 'a[0,10)=6', 'a[10,20)=28', 'a[20,30)=20', 'b[30,40)=30']);
    expect(out.timestamps).toEqual([9, 9, 19, 29, 39]);
    expect(lateSink.values).toEqual([ev('a', 3)]);
    expect(lateSink.timestamps).toEqual([3]);
  });

  it('sliding: an element counts in every window it falls into that is not yet late', async () => {
    const env = localEnvironment();
    const out = new CollectSink<string>();
    events(env, [ev('a', 1), ev('a', 6), ev('a', 11), ev('a', 3)], 3)
      .keyBy((e) => e.key)
      .window(SlidingEventTimeWindows.of(10, 5))
      .aggregate(sumOfTimestamps, label)
      .sinkTo(out);
    await env.execute('sliding');
    expect(out.values).toEqual(['a[-5,5)=1', 'a[0,10)=10', 'a[5,15)=17', 'a[10,20)=11']);
  });

  it('session: merges windows closer than the gap (merging accumulators) and routes late elements aside', async () => {
    const env = localEnvironment().setParallelism(2);
    const late = new OutputTag<Event>('late');
    const out = new CollectSink<string>();
    const lateSink = new CollectSink<Event>();
    const input = [ev('a', 1), ev('a', 4), ev('a', 20), ev('a', 12), ev('a', 23), ev('b', 2)];
    const countAndSum: AggregateFunction<Event, [number, number], string> = {
      createAccumulator: () => [0, 0],
      add: (e, [c, s]) => [c + 1, s + e.ts],
      getResult: ([c, s]) => `${c}/${s}`,
      merge: ([c1, s1], [c2, s2]) => [c1 + c2, s1 + s2],
    };
    const sessions = events(env, input, 3)
      .keyBy((e) => e.key)
      .window(EventTimeSessionWindows.withGap(5))
      .sideOutputLateData(late)
      .aggregate(countAndSum, label);
    sessions.sinkTo(out);
    sessions.getSideOutput(late).sinkTo(lateSink);
    await env.execute('session');
    expect(out.values).toEqual(['a[1,9)=2/5', 'a[20,28)=2/43']);
    expect(lateSink.values).toEqual([ev('a', 12), ev('b', 2)]);
  });

  it('fires every remaining window with the final watermark of a bounded input', async () => {
    const env = localEnvironment().setParallelism(3);
    const out = new CollectSink<string>();
    const input = Array.from({ length: 300 }, (_, i) => ev(`k${i % 7}`, i));
    env
      .fromCollection(input)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Event>(1000).withTimestampAssigner((e) => e.ts))
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(100))
      .aggregate(sumOfTimestamps, label)
      .sinkTo(out);
    await env.execute('final-watermark');
    const expected: string[] = [];
    for (let k = 0; k < 7; k++) {
      for (let w = 0; w < 300; w += 100) {
        const sum = input.filter((e) => e.key === `k${k}` && e.ts >= w && e.ts < w + 100).reduce((s, e) => s + e.ts, 0);
        expected.push(`k${k}[${w},${w + 100})=${sum}`);
      }
    }
    expect([...out.values].sort()).toEqual(expected.sort());
  });
});

/** Emits `events`, then nothing for `quietMs`, then ends: a stream that goes quiet for a while (one split). */
class QuietSource implements Source<Event, StrideSplit, StrideSplit[]> {
  readonly boundedness = 'bounded';
  readonly splitSerializer = STRIDE_SPLIT_SERIALIZER;
  readonly enumeratorCheckpointSerializer = STRIDE_SPLITS_SERIALIZER;
  endedAt = 0;
  constructor(
    private readonly events: Event[],
    private readonly quietMs: number,
  ) {}
  createEnumerator(context: SplitEnumeratorContext<StrideSplit>): StaticSplitEnumerator<StrideSplit> {
    return new StaticSplitEnumerator(context, strideSplits(1), () => 0);
  }
  restoreEnumerator(context: SplitEnumeratorContext<StrideSplit>, pending: StrideSplit[]): StaticSplitEnumerator<StrideSplit> {
    return new StaticSplitEnumerator(context, pending, () => 0);
  }
  createReader(): SourceReader<Event, StrideSplit> {
    let split: StrideSplit | undefined;
    let noMoreSplits = false;
    let quietUntil = 0;
    let timer: NodeJS.Timeout | undefined;
    return {
      start() {},
      addSplits: (splits) => void (split = { ...splits[0]! }),
      notifyNoMoreSplits: () => void (noMoreSplits = true),
      pollNext: (out, max) => {
        if (split === undefined) return noMoreSplits ? 'end-of-input' : 'nothing-available';
        for (let n = 0; n < max && split.next < this.events.length; n++) out.collect(this.events[split.next++]!);
        if (split.next < this.events.length) return 'more-available';
        if (quietUntil === 0) quietUntil = Date.now() + this.quietMs;
        if (Date.now() < quietUntil) return 'nothing-available';
        this.endedAt = Date.now();
        return 'end-of-input';
      },
      available: () => new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, quietUntil - Date.now())))),
      snapshotState: () => (split === undefined ? [] : [{ ...split }]),
      close: () => clearTimeout(timer),
    };
  }
}

describe('idleness and processing time', () => {
  it('lets the watermark advance past an idle input, so windows fire before it ends', async () => {
    const env = localEnvironment().setAutoWatermarkInterval(10);
    const strategy = WatermarkStrategy.forMonotonousTimestamps<Event>()
      .withTimestampAssigner((e) => e.ts)
      .withIdleness(30);
    const active = new QuietSource([ev('a', 1), ev('a', 2), ev('a', 25)], 2000);
    const idle = new QuietSource([], 2000);
    const firedAt: number[] = [];
    const out = new CollectSink<string>();
    env
      .fromSource(active, strategy, 'Active')
      .union(env.fromSource(idle, strategy, 'Idle'))
      .keyBy((e) => e.key)
      .window(TumblingEventTimeWindows.of(10))
      .aggregate(sumOfTimestamps, label)
      .map((s) => {
        firedAt.push(Date.now());
        return s;
      })
      .sinkTo(out);
    await env.execute('idleness');
    expect(out.values).toEqual(['a[0,10)=3', 'a[20,30)=25']);
    // The first window fired on the active input's watermark while both sources were still running.
    expect(firedAt[0]!).toBeLessThan(Math.min(active.endedAt, idle.endedAt));
  });

  it('evaluates processing-time windows of a bounded input when the input ends', async () => {
    const env = localEnvironment();
    const out = new CollectSink<number>();
    env
      .fromElements(ev('a', 1), ev('b', 2), ev('a', 3))
      .keyBy((e) => e.key)
      .window(TumblingProcessingTimeWindows.of(60_000))
      .aggregate(sumOfTimestamps)
      .sinkTo(out);
    await env.execute('processing-time-windows');
    expect([...out.values].sort()).toEqual([2, 4]);
  });
});

const sumOfTimestamps: AggregateFunction<Event, number, number> = {
  createAccumulator: () => 0,
  add: (e, acc) => acc + e.ts,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

describe('timers and side outputs', () => {
  it('fires event-time timers per key at the watermark, with keyed state', async () => {
    const env = localEnvironment();
    const out = new CollectSink<string>();
    const fn: KeyedProcessFunction<string, Event, string> & { count?: ValueState<number> } = {
      open(ctx) {
        this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
      },
      processElement(e, ctx) {
        this.count!.update(this.count!.value()! + 1);
        ctx.timerService().registerEventTimeTimer(e.ts + 10);
      },
      onTimer(timestamp, ctx, o) {
        o.collect(`${ctx.getCurrentKey()}@${timestamp}:${this.count!.value()} (${ctx.timeDomain()})`);
      },
    };
    events(env, [ev('a', 1), ev('a', 5), ev('b', 7), ev('a', 30)], 0)
      .keyBy((e) => e.key)
      .process(fn)
      .sinkTo(out);
    await env.execute('timers');
    expect(out.values).toEqual(['a@11:3 (event-time)', 'a@15:3 (event-time)', 'b@17:1 (event-time)', 'a@40:3 (event-time)']);
    expect(out.timestamps).toEqual([11, 15, 17, 40]);
  });

  it('fires processing-time timers from the clock', async () => {
    const env = localEnvironment();
    const out = new CollectSink<string>();
    const { GeneratorSource } = await import('../../../runtime/connectors/generator-source.ts');
    env
      .fromSource(new GeneratorSource({ count: 40, recordsPerSecond: 100, generate: (n) => n % 2 }), WatermarkStrategy.noWatermarks(), 'Slow')
      .keyBy((n: number) => n)
      .process<string>({
        processElement(_n, ctx) {
          if (ctx.timestamp() === Number.NEGATIVE_INFINITY) ctx.timerService().registerProcessingTimeTimer(Date.now() + 20);
        },
        onTimer(_t, ctx, o) {
          o.collect(`fired ${ctx.getCurrentKey()} ${ctx.timeDomain()}`);
        },
      })
      .sinkTo(out);
    await env.execute('processing-time');
    expect(new Set(out.values)).toEqual(new Set(['fired 0 processing-time', 'fired 1 processing-time']));
  });

  it('routes records to side outputs of a ProcessFunction', async () => {
    const env = localEnvironment().setParallelism(2);
    const odd = new OutputTag<string>('odd');
    const evens = new CollectSink<number>();
    const odds = new CollectSink<string>();
    const main = env
      .fromElements(1, 2, 3, 4, 5)
      .rebalance()
      .process<number>({
        processElement(n, ctx, o) {
          if (n % 2 === 0) o.collect(n);
          else ctx.output(odd, `odd ${n}`);
        },
      });
    main.sinkTo(evens);
    main.getSideOutput(odd).sinkTo(odds);
    await env.execute('side-outputs');
    expect([...evens.values].sort()).toEqual([2, 4]);
    expect([...odds.values].sort()).toEqual(['odd 1', 'odd 3', 'odd 5']);
  });
});
