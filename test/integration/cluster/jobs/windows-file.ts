import { FileSink, GeneratorSource, TumblingEventTimeWindows, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';

/**
 * Keyed event-time tumbling windows over a bounded generator into part files. Args: output
 * directory, record count, and optionally records per second (to keep the job running a while).
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const count = Number(args[1] ?? 30_000);
  const rate = args[2] === undefined ? undefined : Number(args[2]);
  env
    .fromSource(
      new GeneratorSource({ count, generate: (n) => n, timestamp: (n) => n, ...(rate === undefined ? {} : { recordsPerSecond: rate }) }),
      WatermarkStrategy.forMonotonousTimestamps<number>(),
      'Numbers',
    )
    .keyBy((n) => n % 7)
    .window(TumblingEventTimeWindows.of(1000))
    .process<string>({
      process(key, ctx, elements, out) {
        let sum = 0;
        for (const e of elements) sum += e;
        out.collect(`${key}@${ctx.window().start}:${elements.length}:${sum}`);
      },
    })
    .uid('windows')
    .sinkTo(new FileSink<string>(args[0]!));
};
