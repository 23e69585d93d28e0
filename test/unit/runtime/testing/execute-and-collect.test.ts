import { describe, expect, it } from '@jest/globals';
import { TumblingEventTimeWindows } from '../../../../runtime/api/index.ts';
import { executeAndCollect, executeAndCollectRecords, fromTimedElements, localEnvironment, record, watermark } from '../../../../runtime/testing/index.ts';

describe('executeAndCollect with fromTimedElements', () => {
  it('runs the pipeline in this process on scripted records and watermarks and returns its output', async () => {
    const env = localEnvironment();
    const counts = fromTimedElements(env, [
      record('ada', 1_000),
      record('bob', 2_000),
      watermark(9_999),
      // Behind the watermark: its window already fired, so it is dropped as late.
      record('ada', 3_000),
      record('ada', 12_000),
    ])
      .map((user): [string, number] => [user, 1])
      .keyBy(([user]) => user)
      .window(TumblingEventTimeWindows.of(10_000))
      .reduce((a, b) => [a[0], a[1] + b[1]]);
    expect(await executeAndCollectRecords(counts)).toEqual([
      { value: ['ada', 1], timestamp: 9_999 },
      { value: ['bob', 1], timestamp: 9_999 },
      { value: ['ada', 1], timestamp: 19_999 },
    ]);
  });

  it('collects a stream at parallelism 2', async () => {
    const env = localEnvironment().setParallelism(2);
    const doubled = env.fromElements(1, 2, 3, 4).rebalance().map((n) => n * 2);
    expect((await executeAndCollect(doubled)).sort((a, b) => a - b)).toEqual([2, 4, 6, 8]);
  });
});
