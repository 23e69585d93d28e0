import { S3Sink, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { countedNumbers } from '../job-fixture.ts';

/**
 * The checkpoint e2e job with its output in S3: a running count per key over a rate-limited
 * replayable generator, committed by the exactly-once S3 sink. The endpoint and credentials are the
 * TaskManager's S3 checkpoint storage settings, as in a pod.
 * Args: output URI (s3://bucket/prefix), record count, records per second.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  countedNumbers(env, Number(args[1]), Number(args[2]))
    .sinkTo(new S3Sink<[number, number]>(args[0]!))
    .uid('committed-counts');
};
