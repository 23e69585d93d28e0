import { KafkaSink, KafkaSource, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../../runtime/api/index.ts';

/** A Kafka copy job whose broker or topic is wrong. Args: bootstrap servers, input topic, output topic. */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [bootstrapServers, input, output] = args as [string, string, string];
  env
    .fromSource(new KafkaSource<string>({ bootstrapServers, topics: [input] }), WatermarkStrategy.noWatermarks(), 'In')
    .sinkTo(new KafkaSink<string>({ bootstrapServers, topic: output, deliveryGuarantee: 'at-least-once' }));
};
