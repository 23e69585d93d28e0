import { formatRecord } from '../format-record.ts';
import type { KafkaMessage } from './produce-buffer.ts';

/**
 * What a KafkaSink's `serialize` makes of an element: the record's key, value (null: a tombstone)
 * and headers, strings written as UTF-8; and its partition, if the function chooses one (else the
 * client's partitioner: murmur2 of the key as Java's, round-robin without a key).
 */
export interface KafkaProducerRecord {
  key?: Buffer | string;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string>;
  partition?: number;
}

/** Turns elements into the client's messages for `topic`, with the element's timestamp as the record's. */
export function messageFactory<T>(topic: string, serialize: ((value: T) => KafkaProducerRecord) | undefined): (value: T, timestamp: number) => KafkaMessage {
  if (serialize === undefined) {
    return (value, timestamp) => ({ topic, value: Buffer.from(formatRecord(value)), timestamp: recordTimestamp(timestamp) });
  }
  return (value, timestamp) => {
    const record = serialize(value);
    const message: KafkaMessage = { topic, value: toBuffer(record.value), timestamp: recordTimestamp(timestamp) };
    if (record.key !== undefined) message.key = toBuffer(record.key);
    if (record.partition !== undefined) message.partition = record.partition;
    if (record.headers !== undefined) {
      const headers: Record<string, Buffer> = {};
      for (const name in record.headers) headers[name] = toBuffer(record.headers[name]!)!;
      message.headers = headers;
    }
    return message;
  };
}

function toBuffer(data: Buffer | string | null): Buffer | undefined {
  if (data === null) return undefined;
  return typeof data === 'string' ? Buffer.from(data) : data;
}

/** An element without a timestamp (±∞) gets the broker's or client's time. */
function recordTimestamp(timestamp: number): bigint | undefined {
  return Number.isFinite(timestamp) ? BigInt(Math.trunc(timestamp)) : undefined;
}
