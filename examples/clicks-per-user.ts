import { type StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../runtime/api/index.ts';

/** Clicks per user in 10-second event-time windows. */
type Click = { user: string; page: string; time: number };

export default (env: StreamExecutionEnvironment) => {
  env
    .fromElements<Click>(
      { user: 'ada', page: '/', time: 1_000 },
      { user: 'bob', page: '/docs', time: 2_500 },
      { user: 'ada', page: '/docs', time: 9_000 },
      { user: 'ada', page: '/', time: 12_000 },
    )
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000).withTimestampAssigner((c) => c.time))
    .map((c): [string, number] => [c.user, 1])
    .keyBy(([user]) => user)
    .window(TumblingEventTimeWindows.of(10_000))
    .reduce((a, b) => [a[0], a[1] + b[1]])
    .uid('clicks-per-user')
    .print();
};
