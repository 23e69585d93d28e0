import { KafkaSink, KafkaSource, WatermarkStrategy } from '../runtime/api/index.ts';
import type { StreamExecutionEnvironment } from '../runtime/api/index.ts';
import { wordCounts } from './wordcount.ts';

/**
 * WordCount between Kafka topics: lines from a topic, a running count per word, each new count
 * written to another topic as `<word>:<count>` (key: the word), exactly once: a read_committed
 * consumer of the output sees every count once, whatever fails (runtime/connectors/kafka/README.md).
 * Arguments: bootstrap servers (default $KAFKA_BOOTSTRAP_SERVERS, else kafka.kafka:9092, the
 * sandbox's broker), input topic (default `lines`), output topic (default `word-counts`).
 * Its output is committed at checkpoints, so it checkpoints every 5 s (`sluice run` too).
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  env.enableCheckpointing(5_000, 'exactly-once');
  const bootstrapServers = args[0] ?? process.env.KAFKA_BOOTSTRAP_SERVERS ?? 'kafka.kafka:9092';
  const [input = 'lines', output = 'word-counts'] = args.slice(1);
  const lines = env.fromSource(new KafkaSource<string>({ bootstrapServers, topics: [input], groupId: 'kafka-wordcount' }), WatermarkStrategy.noWatermarks<string>(), 'Source: Lines').uid('lines');
  wordCounts(lines)
    .sinkTo(new KafkaSink<[string, number]>({ bootstrapServers, topic: output, deliveryGuarantee: 'exactly-once', transactionalIdPrefix: 'kafka-wordcount', serialize: ([word, count]) => ({ key: word, value: `${word}:${count}` }) }))
    .name('Sink: Counts')
    .uid('word-counts');
};
