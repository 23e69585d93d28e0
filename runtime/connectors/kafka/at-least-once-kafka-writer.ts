import { ProduceAcks, Producer } from '@platformatic/kafka';
import type { SinkWriter, SinkWriterContext, SinkWriterSnapshot } from '../sink.ts';
import { CLIENT_RETRIES } from './client-retries.ts';
import { bootstrapBrokers } from './bootstrap-servers.ts';
import { kafkaError } from './kafka-error.ts';
import { produceBufferOptions, type KafkaSinkOptions } from './kafka-sink-options.ts';
import { ProduceBuffer, type KafkaMessage } from './produce-buffer.ts';
import { messageFactory } from './producer-record.ts';

/**
 * KafkaSink's at-least-once writer: an idempotent producer (acks=all, no duplicates from the
 * client's own retries); at each barrier the checkpoint waits until everything written before it is
 * acknowledged, so a restore from that checkpoint replays only records the topic may hold already.
 */
export class AtLeastOnceKafkaWriter<T> implements SinkWriter<T> {
  private readonly producer: Producer;
  private readonly buffer: ProduceBuffer;
  private readonly toMessage: (value: T, timestamp: number) => KafkaMessage;

  constructor(options: KafkaSinkOptions<T>, context: SinkWriterContext) {
    this.producer = new Producer({ clientId: `sluice-sink-${context.subtaskIndex}`, bootstrapBrokers: bootstrapBrokers(options.bootstrapServers), idempotent: true, acks: ProduceAcks.ALL, ...CLIENT_RETRIES });
    const what = `KafkaSink: cannot write to topic "${options.topic}" at ${options.bootstrapServers}`;
    this.buffer = new ProduceBuffer(
      (messages) => this.producer.send({ messages }).catch((error: unknown) => Promise.reject(kafkaError(what, error))),
      produceBufferOptions(options),
    );
    this.toMessage = messageFactory(options.topic, options.serialize);
  }

  write(value: T, timestamp: number): void {
    this.buffer.write(this.toMessage(value, timestamp));
  }

  isAvailable(): boolean {
    return this.buffer.isAvailable();
  }

  availability(): Promise<void> {
    return this.buffer.availability();
  }

  snapshotState(): SinkWriterSnapshot {
    const flushed = this.buffer.flush();
    // Its rejection declines the checkpoint, and the next write throws it.
    flushed.catch(() => {});
    return { state: [], asyncPhase: flushed };
  }

  finish(): Promise<void> {
    return this.buffer.flush();
  }

  close(): void {
    this.producer.close(true, () => {});
  }
}
