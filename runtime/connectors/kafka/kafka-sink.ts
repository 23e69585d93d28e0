import type { Sink, SinkWriter, SinkWriterContext } from '../sink.ts';
import { TwoPhaseCommitSinkWriter } from '../two-phase-commit-sink.ts';
import { AtLeastOnceKafkaWriter } from './at-least-once-kafka-writer.ts';
import { parseBootstrapServers } from './bootstrap-servers.ts';
import type { KafkaSinkOptions } from './kafka-sink-options.ts';
import { KafkaTransactions } from './kafka-transactions.ts';

/**
 * Writes a stream into a Kafka topic (Flink's KafkaSink), at least once or exactly once; how each
 * works is in README.md in this folder.
 */
export class KafkaSink<T> implements Sink<T> {
  constructor(private readonly options: KafkaSinkOptions<T>) {
    parseBootstrapServers(options.bootstrapServers);
    if (typeof options.topic !== 'string' || options.topic === '') throw new Error('KafkaSink: a topic is required');
    if (options.deliveryGuarantee !== 'at-least-once' && options.deliveryGuarantee !== 'exactly-once') {
      throw new Error(`KafkaSink: deliveryGuarantee must be 'at-least-once' or 'exactly-once', not ${JSON.stringify(options.deliveryGuarantee)}`);
    }
  }

  createWriter(context: SinkWriterContext, restoredState: readonly unknown[]): SinkWriter<T> {
    if (this.options.deliveryGuarantee === 'at-least-once') return new AtLeastOnceKafkaWriter(this.options, context);
    return new TwoPhaseCommitSinkWriter(new KafkaTransactions(this.options, context, restoredState), restoredState, context.checkpointing);
  }
}
