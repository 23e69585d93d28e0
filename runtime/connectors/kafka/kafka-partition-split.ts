import { JsonVersionedSerializer } from '../json-versioned-serializer.ts';
import type { SourceSplit } from '../source.ts';

/**
 * One topic-partition to read (Flink's KafkaPartitionSplit): `offset` is the next offset to read
 * (resolved by the enumerator from the starting offsets before the split is assigned, then advanced
 * by the reader), `stoppingOffset` the offset at which a bounded read of it ends.
 */
export interface KafkaPartitionSplit extends SourceSplit {
  readonly topic: string;
  readonly partition: number;
  offset: number;
  readonly stoppingOffset?: number;
}

/** The enumerator's state: every partition it made a split of, and the splits not assigned yet. */
export interface KafkaEnumeratorState {
  readonly discovered: string[];
  readonly pending: KafkaPartitionSplit[];
}

export function partitionSplit(topic: string, partition: number, offset: number, stoppingOffset: number | undefined): KafkaPartitionSplit {
  const split: KafkaPartitionSplit = { splitId: `${topic}-${partition}`, topic, partition, offset };
  return stoppingOffset === undefined ? split : { ...split, stoppingOffset };
}

const offset = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function checkSplit(value: unknown): KafkaPartitionSplit {
  const x = value as KafkaPartitionSplit;
  if (typeof x?.topic !== 'string' || !offset(x.partition) || !offset(x.offset) || (x.stoppingOffset !== undefined && !offset(x.stoppingOffset)) || x.splitId !== `${x.topic}-${x.partition}`) {
    throw new Error(`invalid Kafka partition split ${JSON.stringify(value)}`);
  }
  return partitionSplit(x.topic, x.partition, x.offset, x.stoppingOffset);
}

export const KAFKA_PARTITION_SPLIT_SERIALIZER = new JsonVersionedSerializer<KafkaPartitionSplit>('Kafka partition split', checkSplit);

export const KAFKA_ENUMERATOR_STATE_SERIALIZER = new JsonVersionedSerializer<KafkaEnumeratorState>('Kafka source enumerator state', (value) => {
  const x = value as KafkaEnumeratorState;
  if (!Array.isArray(x?.pending) || !Array.isArray(x.discovered) || !x.discovered.every((p) => typeof p === 'string')) {
    throw new Error(`invalid Kafka source enumerator state ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return { discovered: [...x.discovered], pending: x.pending.map(checkSplit) };
});
