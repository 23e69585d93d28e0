import { describe, expect, it } from '@jest/globals';
import { OutputTag, TumblingEventTimeWindows, TumblingProcessingTimeWindows, type DataStream } from '../../../../runtime/api/index.ts';
import { localEnvironment, OneInputStreamOperatorTestHarness } from '../../../../runtime/testing/index.ts';

type Click = { user: string; time: number };
const late = new OutputTag<[string, number]>('late');

/** The harness of the last operator of `build`'s stream, as the job would create it. */
function harnessOf<T>(build: (clicks: DataStream<Click>) => DataStream<T>) {
  return OneInputStreamOperatorTestHarness.forStream(build(localEnvironment().fromElements<Click>()));
}

describe('OneInputStreamOperatorTestHarness.forStream', () => {
  it('drives a keyed event-time window: fires at the watermark, late records go to the side output, state survives a snapshot', () => {
    const windowed = (clicks: DataStream<Click>) =>
      clicks
        .map((c): [string, number] => [c.user, 1])
        .keyBy(([user]) => user)
        .window(TumblingEventTimeWindows.of(10_000))
        .sideOutputLateData(late)
        .reduce((a, b) => [a[0], a[1] + b[1]]);
    const h = harnessOf(windowed).open();
    h.processElement(['ada', 1], 1_000).processElement(['bob', 1], 2_000).processElement(['ada', 1], 9_999);
    const snapshot = h.snapshot();
    h.processWatermark(9_999);
    expect(h.extractOutputRecords().sort((a, b) => a.value[0].localeCompare(b.value[0]))).toEqual([
      { value: ['ada', 2], timestamp: 9_999 },
      { value: ['bob', 1], timestamp: 9_999 },
    ]);
    h.processElement(['ada', 1], 5_000);
    expect(h.getSideOutput(late)).toEqual([['ada', 1]]);

    const restored = harnessOf(windowed).open(snapshot);
    restored.processElement(['ada', 1], 3_000).processWatermark(20_000);
    expect(restored.extractOutputValues().sort()).toEqual([
      ['ada', 3],
      ['bob', 1],
    ]);
  });

  it('fires a processing-time window when the test moves processing time', () => {
    const h = harnessOf((clicks) =>
      clicks
        .map((c): [string, number] => [c.user, 1])
        .keyBy(([user]) => user)
        .window(TumblingProcessingTimeWindows.of(1_000))
        .reduce((a, b) => [a[0], a[1] + b[1]]),
    ).open();
    h.setProcessingTime(100);
    h.processElement(['ada', 1]).processElement(['ada', 1]);
    h.setProcessingTime(998);
    expect(h.extractOutputValues()).toEqual([]);
    h.setProcessingTime(999);
    expect(h.extractOutputValues()).toEqual([['ada', 2]]);
    h.processElement(['ada', 1]);
    h.setProcessingTime(5_000);
    expect(h.extractOutputValues()).toEqual([
      ['ada', 2],
      ['ada', 1],
    ]);
  });

  it('refuses a stream that no one-input operator produces, and records before open()', () => {
    const env = localEnvironment();
    expect(() => OneInputStreamOperatorTestHarness.forStream(env.fromElements(1))).toThrow(
      '"Source: Collection" is not a one-input operator (a source transformation): build the harness for the stream an operator produces',
    );
    const h = OneInputStreamOperatorTestHarness.forStream(env.fromElements(1).map((n) => n + 1));
    expect(() => h.processElement(1)).toThrow('is created: open() it first');
  });
});
