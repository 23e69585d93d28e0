import type { StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { countedNumbers } from '../job-fixture.ts';

/**
 * The checkpoint e2e job as a module for JobManager/TaskManager processes: a running count per key
 * over a rate-limited replayable generator, committed by the exactly-once file sink.
 * Args: output directory, record count, records per second.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  countedNumbers(env, Number(args[1]), Number(args[2]))
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(args[0]!))
    .uid('committed-counts');
};
