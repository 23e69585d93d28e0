import { GeneratorSource, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { KEYS } from '../job-fixture.ts';

/**
 * The checkpoint e2e job as a module for JobManager/TaskManager processes: a running count per key
 * over a rate-limited replayable generator, committed by the exactly-once file sink.
 * Args: output directory, record count, records per second.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  env
    .fromSource(new GeneratorSource({ count: Number(args[1]), recordsPerSecond: Number(args[2]), generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .uid('pairs')
    .keyBy(([k]) => k)
    .sum(1)
    .uid('counts')
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(args[0]!))
    .uid('committed-counts');
};
