import { KafkaSink, KafkaSource, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../../runtime/api/index.ts';

export const KEYS = 10;

/**
 * Kafka -> keyed state -> Kafka as a job module for JobManager/TaskManager processes: numbers from
 * a topic (unbounded), a running count per key (n % 10), each count written to another topic
 * exactly once as `<key>:<count>`. Stable uids, so any run restores any other.
 * Args: bootstrap servers, input topic, output topic.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [bootstrapServers, input, output] = args as [string, string, string];
  env
    .fromSource(new KafkaSource<string>({ bootstrapServers, topics: [input], groupId: 'kafka-counts' }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers')
    .map((n: string): [number, number] => [Number(n) % KEYS, 1])
    .uid('pairs')
    .keyBy(([key]) => key)
    .sum(1)
    .uid('counts')
    .sinkTo(new KafkaSink<[number, number]>({ bootstrapServers, topic: output, deliveryGuarantee: 'exactly-once', serialize: ([key, count]) => ({ key: String(key), value: `${key}:${count}` }) }))
    .uid('committed-counts');
};
