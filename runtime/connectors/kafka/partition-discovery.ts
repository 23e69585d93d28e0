import { Admin, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';
import { bootstrapBrokers } from './bootstrap-servers.ts';
import { CLIENT_RETRIES } from './client-retries.ts';
import { kafkaError } from './kafka-error.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** Where a partition's reading starts (Flink's OffsetsInitializer). */
export type StartingOffsets = 'earliest' | 'latest' | 'committed' | { readonly timestamp: number };

/**
 * The enumerator's view of the cluster (Flink's KafkaSourceEnumerator with its admin client): the
 * partitions of the subscribed topics, and offsets resolved for them. Offsets are read_committed:
 * 'latest' is the last stable offset, so a bounded read ends before transactions still open.
 */
export class PartitionDiscovery {
  private readonly admin: Admin;

  constructor(
    private readonly bootstrapServers: string,
    private readonly topics: readonly string[] | RegExp,
    private readonly groupId: string | undefined,
  ) {
    this.admin = new Admin({ clientId: 'sluice-kafka-source-enumerator', bootstrapBrokers: bootstrapBrokers(bootstrapServers), ...CLIENT_RETRIES });
  }

  /** Every partition of the subscribed topics; a topic named but missing is an error. */
  async partitions(): Promise<TopicPartition[]> {
    try {
      const names = this.topics instanceof RegExp ? (await this.admin.listTopics()).filter((t) => (this.topics as RegExp).test(t)).sort() : [...this.topics];
      if (names.length === 0) return [];
      const metadata = await this.admin.metadata({ topics: names, forceUpdate: true });
      return names.flatMap((topic) => Array.from({ length: metadata.topics.get(topic)!.partitionsCount }, (_, partition) => ({ topic, partition })));
    } catch (error) {
      throw kafkaError(`KafkaSource: cannot discover the partitions of ${this.describeTopics()} at ${this.bootstrapServers}`, error);
    }
  }

  /** The offset of each partition from which `starting` reads. */
  async offsets(partitions: readonly TopicPartition[], starting: StartingOffsets | 'stopping'): Promise<number[]> {
    if (partitions.length === 0) return [];
    try {
      if (starting === 'committed') return await this.committedOffsets(partitions);
      const timestamp = starting === 'earliest' ? ListOffsetTimestamps.EARLIEST : starting === 'latest' || starting === 'stopping' ? ListOffsetTimestamps.LATEST : BigInt(starting.timestamp);
      const listed = await this.listOffsets(partitions, timestamp);
      if (typeof starting !== 'object') return partitions.map((p) => listed.get(key(p))!);
      // No record at or after the timestamp: -1, read from the end.
      const ends = await this.listOffsets(partitions, ListOffsetTimestamps.LATEST);
      return partitions.map((p) => (listed.get(key(p))! < 0 ? ends.get(key(p))! : listed.get(key(p))!));
    } catch (error) {
      throw kafkaError(`KafkaSource: cannot resolve the ${starting === 'stopping' ? 'stopping' : 'starting'} offsets of ${this.describeTopics()} at ${this.bootstrapServers}`, error);
    }
  }

  close(): Promise<void> {
    return this.admin.close();
  }

  private async listOffsets(partitions: readonly TopicPartition[], timestamp: bigint): Promise<Map<string, number>> {
    if (partitions.length === 0) return new Map();
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const listed = await this.admin.listOffsets({
      topics: [...byTopic].map(([name, list]) => ({ name, partitions: list.map((partitionIndex) => ({ partitionIndex, timestamp })) })),
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    const offsets = new Map<string, number>();
    for (const topic of listed) for (const p of topic.partitions) offsets.set(key({ topic: topic.name, partition: p.partitionIndex }), Number(p.offset));
    return offsets;
  }

  /** The group's committed offsets; earliest where it has none. */
  private async committedOffsets(partitions: readonly TopicPartition[]): Promise<number[]> {
    if (this.groupId === undefined) throw new Error("startingOffsets 'committed' needs a groupId");
    const [group] = await this.admin.listConsumerGroupOffsets({ groups: [this.groupId] });
    const committed = new Map<string, number>();
    for (const topic of group?.topics ?? []) for (const p of topic.partitions) if (p.committedOffset >= 0n) committed.set(key({ topic: topic.name, partition: p.partitionIndex }), Number(p.committedOffset));
    const missing = partitions.filter((p) => !committed.has(key(p)));
    const earliest = await this.listOffsets(missing, ListOffsetTimestamps.EARLIEST);
    return partitions.map((p) => committed.get(key(p)) ?? earliest.get(key(p))!);
  }

  private describeTopics(): string {
    return this.topics instanceof RegExp ? `the topics matching ${String(this.topics)}` : this.topics.map((t) => `"${t}"`).join(', ');
  }
}

function key(p: TopicPartition): string {
  return `${p.topic}-${p.partition}`;
}
