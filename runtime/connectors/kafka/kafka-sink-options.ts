import type { KafkaProducerRecord } from './producer-record.ts';
import type { ProduceBufferOptions } from './produce-buffer.ts';

export interface KafkaSinkOptions<T> {
  /** `host:port[,host:port...]`: Kafka's `bootstrap.servers`. */
  bootstrapServers: string;
  topic: string;
  /** Element to record; the default writes the element as the value (strings as they are, others as JSON), no key. */
  serialize?: (value: T) => KafkaProducerRecord;
  /**
   * 'at-least-once': an idempotent producer; every checkpoint waits until the records written
   * before its barrier are acknowledged. 'exactly-once': one Kafka transaction per subtask and
   * checkpoint interval, committed when the checkpoint completes (README.md in this folder).
   */
  deliveryGuarantee: 'at-least-once' | 'exactly-once';
  /** Start of the sink's transactional ids: `<prefix>-<subtask>-<run>-<n>`. Default `sluice-<topic>`. */
  transactionalIdPrefix?: string;
  /** Bytes of records per produce request. Default 512 KiB (the broker takes 1 MiB per batch). */
  maxRequestBytes?: number;
  /** Bytes of records waiting for the broker before the sink backpressures its task. Default 4 MiB. */
  maxBufferedBytes?: number;
}

export function produceBufferOptions(options: Pick<KafkaSinkOptions<unknown>, 'maxRequestBytes' | 'maxBufferedBytes'>): ProduceBufferOptions {
  return { maxRequestBytes: options.maxRequestBytes ?? 512 * 1024, maxBufferedBytes: options.maxBufferedBytes ?? 4 * 1024 * 1024 };
}
