import { Admin, FetchIsolationLevels, ListOffsetTimestamps, Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
import { PartitionFetcher } from '../../runtime/connectors/kafka/partition-fetcher.ts';
import { waitFor } from './processes.ts';

/** A record as a test reads it back. */
export interface ReadRecord {
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: string | undefined;
  value: string;
}

export type Isolation = 'read_committed' | 'read_uncommitted';

/**
 * What tests do with the topics of a Kafka broker at `bootstrapServers`: create topics, produce
 * plainly, read a topic back whole. Clients it hands out are closed by {@link closeClients}.
 */
export abstract class KafkaTopics {
  abstract get bootstrapServers(): string;
  private readonly closers: (() => Promise<unknown>)[] = [];

  admin(): Admin {
    const admin = new Admin({ clientId: 'kafka-test-admin', bootstrapBrokers: [this.bootstrapServers] });
    this.closers.push(() => admin.close());
    return admin;
  }

  producer(): Producer<string, string, string, string> {
    const producer = new Producer({ clientId: 'kafka-test-producer', bootstrapBrokers: [this.bootstrapServers], serializers: stringSerializers, idempotent: true, acks: ProduceAcks.ALL });
    this.closers.push(() => forceClose(producer));
    return producer;
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    await this.admin().createTopics({ topics: [topic], partitions, replicas: 1 });
  }

  async addPartitions(topic: string, total: number): Promise<void> {
    await this.admin().createPartitions({ topics: [{ name: topic, count: total }] });
  }

  /** Produces `values[i]` to partition `partition(i)`, in requests of 1,000. */
  async produce(topic: string, messages: { key?: string; value: string; partition: number; timestamp?: bigint }[]): Promise<void> {
    const producer = this.producer();
    for (let i = 0; i < messages.length; i += 1000) await producer.send({ messages: messages.slice(i, i + 1000).map((m) => ({ topic, ...m })) });
    await producer.close();
  }

  /** The end offset of each partition: the high watermark, or the last stable offset for read_committed. */
  async endOffsets(topic: string, partitions: number, isolation: Isolation): Promise<bigint[]> {
    const [listed] = await this.admin().listOffsets({
      topics: [{ name: topic, partitions: Array.from({ length: partitions }, (_, p) => ({ partitionIndex: p, timestamp: ListOffsetTimestamps.LATEST })) }],
      isolationLevel: isolation === 'read_committed' ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
    });
    return [...listed!.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => p.offset);
  }

  /**
   * Every record of the topic as a read_committed consumer sees it, per partition in offset order.
   * Waits first until no transaction on the topic is open (the last stable offset of every partition
   * reached its high watermark), so what is read is final; then reads up to there.
   */
  async readAll(topic: string, partitions: number, timeoutMs = 30_000): Promise<ReadRecord[]> {
    let seen = '';
    const ends = await waitFor(
      () => `every transaction on ${topic} decided: last stable offsets = high watermarks (${seen})`,
      async () => {
        const [stable, high] = await Promise.all([this.endOffsets(topic, partitions, 'read_committed'), this.endOffsets(topic, partitions, 'read_uncommitted')]);
        seen = `${stable.join(', ')} and ${high.join(', ')}`;
        return stable.every((offset, p) => offset === high[p]) ? stable : undefined;
      },
      timeoutMs,
    );
    const fetcher = new PartitionFetcher({ bootstrapServers: this.bootstrapServers, clientId: 'kafka-test-reader' });
    const records: ReadRecord[] = [];
    try {
      const positions = ends.map((_, partition) => ({ topic, partition, offset: 0n }));
      for (let open = positions.filter((p) => p.offset < ends[p.partition]!); open.length > 0; open = positions.filter((p) => p.offset < ends[p.partition]!)) {
        for (const { position, batches, nextOffset } of await fetcher.fetch(open)) {
          for (const batch of batches) {
            for (const r of batch.records) {
              const offset = batch.firstOffset + BigInt(r.offsetDelta);
              if (offset >= position.offset && offset < ends[position.partition]!) {
                records.push({ partition: position.partition, offset, timestamp: batch.firstTimestamp + r.timestampDelta, key: r.key?.toString() || undefined, value: r.value?.toString() ?? '' });
              }
            }
          }
          position.offset = nextOffset;
        }
      }
    } finally {
      await fetcher.close();
    }
    return records;
  }

  /** Closes every client handed out so far, without waiting for their requests. */
  async closeClients(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => {});
  }
}

/** The topics of a broker whose address is known up front (a pod's, in the e2e sandbox). */
export class KafkaTopicsAt extends KafkaTopics {
  constructor(readonly bootstrapServers: string) {
    super();
  }
}

/** The values read, sorted: for comparing a topic with what a job must have written, in any order. */
export const sortedValues = (records: ReadRecord[]): string[] => records.map((r) => r.value).sort();

/** Closes a client without waiting for its requests (closing twice does nothing). */
function forceClose(client: { close(force: boolean, callback: (error?: unknown) => void): void }): Promise<void> {
  return new Promise((resolve) => client.close(true, () => resolve()));
}
