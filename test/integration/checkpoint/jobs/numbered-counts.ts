import { GeneratorSource, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { KEYS } from '../job-fixture.ts';

/**
 * Which records a keyed count saw: numbers 0..n-1 from a rate-limited generator, keyed by n mod 10,
 * a rolling count per key that emits `[n, count of the key so far]` for every record, committed by
 * the exactly-once file sink. A record counted twice shows as its number twice, with two counts.
 * Args: output directory, record count, records per second.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  env
    .fromSource(new GeneratorSource({ count: Number(args[1]), recordsPerSecond: Number(args[2]), generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers')
    .map((n: number): [number, number] => [n, 1])
    .uid('pairs')
    .keyBy(([n]) => n % KEYS)
    .reduce((counted, [n]) => [n, counted[1] + 1])
    .uid('counts')
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(args[0]!))
    .uid('committed-counts');
};
