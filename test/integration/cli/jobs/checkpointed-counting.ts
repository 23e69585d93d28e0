import type { StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { countedNumbers } from '../../checkpoint/job-fixture.ts';

/**
 * A job that asks for its own checkpoints (`env.enableCheckpointing`, nothing in the process
 * configuration): a running count per key over a rate-limited replayable generator, committed by
 * the exactly-once file sink. Args: output directory, record count, records per second, checkpoint interval (ms).
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  env.enableCheckpointing(Number(args[3]), 'exactly-once');
  countedNumbers(env, Number(args[1]), Number(args[2]))
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(args[0]!))
    .uid('committed-counts');
};
