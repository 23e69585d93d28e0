import { describe, expect, it } from '@jest/globals';
import { OutputTag, ValueStateDescriptor, type KeyedProcessFunction, type ValueState } from '../../../../runtime/api/index.ts';
import { ProcessFunctionTestHarnesses } from '../../../../runtime/testing/index.ts';

type Click = { user: string; time: number };

/** Counts clicks per user; reports the count when the user was quiet for 1 s of event time, and each minute of processing time. */
function countingFunction(): KeyedProcessFunction<string, Click, string> {
  let count!: ValueState<number>;
  return {
    open(ctx) {
      count = ctx.getState(new ValueStateDescriptor<number>('count'));
    },
    processElement(click, ctx) {
      count.update((count.value() ?? 0) + 1);
      ctx.timerService().registerEventTimeTimer(click.time + 1_000);
      ctx.timerService().registerProcessingTimeTimer(60_000);
    },
    onTimer(timestamp, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}:${count.value()}@${timestamp}/${ctx.timeDomain()}`);
    },
  };
}

describe('ProcessFunctionTestHarnesses.forKeyedProcessFunction', () => {
  it('drives keyed state, event-time timers by watermarks and processing-time timers by hand', () => {
    const h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(countingFunction(), (c: Click) => c.user);
    h.processElement({ user: 'ada', time: 1_000 }, 1_000);
    h.processElement({ user: 'bob', time: 1_500 }, 1_500);
    h.processElement({ user: 'ada', time: 1_800 }, 1_800);
    expect(h.extractOutputValues()).toEqual([]);
    h.processWatermark(2_000);
    expect(h.extractOutputRecords()).toEqual([{ value: 'ada:2@2000/event-time', timestamp: 2_000 }]);
    h.processWatermark(2_500);
    expect(h.getOutput()).toEqual([
      { kind: 'record', value: 'ada:2@2000/event-time', timestamp: 2_000 },
      { kind: 'watermark', timestamp: 2_000 },
      { kind: 'record', value: 'bob:1@2500/event-time', timestamp: 2_500 },
      { kind: 'watermark', timestamp: 2_500 },
    ]);
    h.clearOutput();
    h.setProcessingTime(59_999);
    expect(h.extractOutputValues()).toEqual([]);
    h.setProcessingTime(60_000);
    expect(h.extractOutputValues().sort()).toEqual(['ada:2@60000/processing-time', 'bob:1@60000/processing-time']);
    expect(() => h.setProcessingTime(1)).toThrow('processing time cannot go back from 60000 to 1');
  });

  it('restores keyed state and timers from a snapshot into a new harness, also at another parallelism', () => {
    const first = ProcessFunctionTestHarnesses.forKeyedProcessFunction(countingFunction(), (c: Click) => c.user);
    for (const [user, time] of [['ada', 1_000], ['bob', 1_100], ['ada', 1_200], ['cyd', 1_300]] as const) first.processElement({ user, time }, time);
    const snapshot = first.snapshot();
    first.close();

    const restored = ProcessFunctionTestHarnesses.forKeyedProcessFunction(countingFunction(), (c: Click) => c.user, { restore: snapshot });
    restored.processElement({ user: 'ada', time: 1_400 }, 1_400);
    restored.processWatermark(10_000);
    expect(restored.extractOutputValues().sort()).toEqual(['ada:3@2000/event-time', 'ada:3@2200/event-time', 'ada:3@2400/event-time', 'bob:1@2100/event-time', 'cyd:1@2300/event-time']);

    // Split over two subtasks: each restores only its key groups, together all of them.
    const halves = [0, 1].map((subtaskIndex) =>
      ProcessFunctionTestHarnesses.forKeyedProcessFunction(countingFunction(), (c: Click) => c.user, { restore: snapshot, parallelism: 2, subtaskIndex }),
    );
    for (const h of halves) h.processWatermark(10_000);
    const fired = halves.map((h) => h.extractOutputValues());
    expect(fired.flat().sort()).toEqual(['ada:2@2000/event-time', 'ada:2@2200/event-time', 'bob:1@2100/event-time', 'cyd:1@2300/event-time']);
    expect(fired.every((f) => f.length > 0 && f.length < 4)).toBe(true);
  });
});

describe('ProcessFunctionTestHarnesses.forProcessFunction', () => {
  it('runs a non-keyed process function with timestamps and side outputs', () => {
    const odd = new OutputTag<string>('odd');
    const h = ProcessFunctionTestHarnesses.forProcessFunction<number, number>({
      processElement(n, ctx, out) {
        if (n % 2 === 1) ctx.output(odd, `odd ${n} at ${ctx.timestamp()}`);
        out.collect(n * 10);
      },
    });
    h.processElement(1, 1).processElement(2, 2).processElement(3, 30);
    expect(h.extractOutputRecords()).toEqual([
      { value: 10, timestamp: 1 },
      { value: 20, timestamp: 2 },
      { value: 30, timestamp: 30 },
    ]);
    expect(h.getSideOutput(odd)).toEqual(['odd 1 at 1', 'odd 3 at 30']);
  });
});
