import { Connection, Consumer, FetchIsolationLevels, fetchV17, type ClusterMetadata } from '@platformatic/kafka';
import { bootstrapBrokers } from './bootstrap-servers.ts';
import { CLIENT_RETRIES } from './client-retries.ts';
import { kafkaError } from './kafka-error.ts';

/** A batch of records as the client parses it. */
export type RecordBatch = NonNullable<fetchV17.FetchResponse['responses'][number]['partitions'][number]['records']>[number];

/** A partition being read: where the next fetch starts. */
export interface FetchPosition {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the next record to fetch. */
  offset: bigint;
}

/**
 * What one fetch brought for one partition: the committed data batches, in offset order, and the
 * offset after everything the response covered (past control records and aborted transactions,
 * which carry no data), where the next fetch of the partition starts once these are consumed.
 */
export interface FetchedPartition {
  readonly position: FetchPosition;
  readonly batches: RecordBatch[];
  readonly nextOffset: bigint;
}

const IS_TRANSACTIONAL = 1 << 4;
const IS_CONTROL = 1 << 5;

export interface PartitionFetcherOptions {
  readonly bootstrapServers: string;
  readonly clientId: string;
  /** Longest a fetch waits on the broker for data. Default 100 ms. */
  readonly maxWaitMs?: number;
  /** Bytes per partition and fetch. Default 1 MiB. */
  readonly partitionMaxBytes?: number;
}

/**
 * Reads partitions at positions the caller keeps (Flink's KafkaPartitionSplitReader's fetch), with
 * the client's raw Fetch API over a connection per leader: no consumer group, no stream. One `fetch`
 * asks each partition's leader once (the leaders concurrently) and gives what a `read_committed`
 * consumer sees: only records of committed transactions (and of plain producers), up to the last
 * stable offset. Aborted transactions are dropped as Java's consumer drops them (the response's
 * aborted transactions, matched by producer id up to their abort marker). Not the client's
 * `Consumer.fetch()`: its read_committed filter keeps an aborted transaction's records when the
 * abort marker is in a later response, and throws when a response holds an abort marker of a
 * producer it does not list. Metadata (leaders, topic ids) comes from the client's consumer.
 */
export class PartitionFetcher {
  readonly consumer: Consumer;
  private readonly connections = new Map<number, Promise<Connection>>();
  private readonly maxWaitMs: number;
  private readonly partitionMaxBytes: number;

  constructor(private readonly options: PartitionFetcherOptions) {
    this.consumer = new Consumer({
      clientId: options.clientId,
      groupId: options.clientId,
      bootstrapBrokers: bootstrapBrokers(options.bootstrapServers),
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      ...CLIENT_RETRIES,
    });
    this.maxWaitMs = options.maxWaitMs ?? 100;
    this.partitionMaxBytes = options.partitionMaxBytes ?? 1 << 20;
  }

  /** One fetch of every position; positions are not advanced (the caller does, as it consumes). */
  async fetch(positions: readonly FetchPosition[]): Promise<FetchedPartition[]> {
    if (positions.length === 0) return [];
    const topics = [...new Set(positions.map((p) => p.topic))];
    let metadata: ClusterMetadata;
    try {
      metadata = await this.consumer.metadata({ topics });
      // A partition added since the client's metadata was cached: ask again.
      if (positions.some((p) => metadata.topics.get(p.topic)?.partitions[p.partition] === undefined)) metadata = await this.consumer.metadata({ topics, forceUpdate: true });
    } catch (error) {
      throw kafkaError(`KafkaSource: cannot read the metadata of ${[...new Set(positions.map((p) => `"${p.topic}"`))].join(', ')} at ${this.options.bootstrapServers}`, error);
    }
    const byLeader = new Map<number, FetchPosition[]>();
    for (const position of positions) {
      const leader = metadata.topics.get(position.topic)!.partitions[position.partition]!.leader;
      let list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, (list = []));
      list.push(position);
    }
    const fetched = await Promise.all([...byLeader].map(([leader, list]) => this.fetchFrom(leader, list, metadata)));
    return fetched.flat();
  }

  close(): Promise<void> {
    for (const connection of this.connections.values()) void connection.then((c) => c.close()).catch(() => {});
    this.connections.clear();
    return new Promise((resolve) => this.consumer.close(true, () => resolve()));
  }

  /** One connection per broker, opened on first use and dropped after a failed request. */
  private connection(node: number, metadata: ClusterMetadata): Promise<Connection> {
    let connection = this.connections.get(node);
    if (connection === undefined) {
      const broker = metadata.brokers.get(node);
      if (broker === undefined) return Promise.reject(new Error(`no broker ${node} in the metadata`));
      const c = new Connection(this.options.clientId);
      connection = Promise.resolve(c.connect(broker.host, broker.port)).then(() => c);
      connection.catch(() => this.connections.delete(node));
      this.connections.set(node, connection);
    }
    return connection;
  }

  /** Fetch (v17) on `leader`, retried as the client's requests are; the connection is opened again after a failure. */
  private async request(leader: number, metadata: ClusterMetadata, topics: fetchV17.FetchRequestTopic[], maxBytes: number): Promise<fetchV17.FetchResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = await this.connection(leader, metadata);
        // session id 0, epoch -1: a full fetch without a fetch session
        return await fetchV17.api.async(connection, this.maxWaitMs, 1, maxBytes, FetchIsolationLevels.READ_COMMITTED, 0, -1, topics, [], '');
      } catch (error) {
        void this.connections.get(leader)?.then((c) => c.close()).catch(() => {});
        this.connections.delete(leader);
        if (attempt >= CLIENT_RETRIES.retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, CLIENT_RETRIES.retryDelay));
      }
    }
  }

  private async fetchFrom(leader: number, positions: FetchPosition[], metadata: ClusterMetadata): Promise<FetchedPartition[]> {
    const topics = metadata.topics;
    const byTopic = new Map<string, FetchPosition[]>();
    for (const p of positions) {
      let list = byTopic.get(p.topic);
      if (list === undefined) byTopic.set(p.topic, (list = []));
      list.push(p);
    }
    const topicIds = new Map<string, string>();
    const request = [...byTopic].map(([topic, list]) => {
      topicIds.set(topics.get(topic)!.id, topic);
      return {
        topicId: topics.get(topic)!.id,
        partitions: list.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.offset, lastFetchedEpoch: -1, partitionMaxBytes: this.partitionMaxBytes })),
      };
    });
    let response;
    try {
      response = await this.request(leader, metadata, request, this.partitionMaxBytes * positions.length);
    } catch (error) {
      this.consumer.clearMetadata();
      throw kafkaError(`KafkaSource: cannot fetch ${positions.map((p) => `${p.topic}-${p.partition}@${p.offset}`).join(', ')} at ${this.options.bootstrapServers}`, error);
    }
    const result: FetchedPartition[] = [];
    for (const topicResponse of response.responses) {
      const topic = topicIds.get(topicResponse.topicId)!;
      for (const partitionResponse of topicResponse.partitions) {
        const position = byTopic.get(topic)!.find((p) => p.partition === partitionResponse.partitionIndex)!;
        const batches = partitionResponse.records ?? [];
        const last = batches.at(-1);
        const nextOffset = last === undefined ? position.offset : last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
        result.push({ position, batches: committedBatches(batches, partitionResponse.abortedTransactions, position.offset), nextOffset });
      }
    }
    return result;
  }
}

/**
 * The data batches a read_committed consumer returns (Java's CompletedFetch): control batches
 * dropped; a transactional batch dropped when its producer has an aborted transaction that began at
 * or before the batch and whose abort marker was not passed yet; records before `from` dropped (a
 * fetch starts at the beginning of the batch that holds `from`).
 */
export function committedBatches(batches: readonly RecordBatch[], aborted: readonly { producerId: bigint; firstOffset: bigint }[], from: bigint): RecordBatch[] {
  const pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  let next = 0;
  const abortedProducers = new Set<bigint>();
  const kept: RecordBatch[] = [];
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    if (lastOffset < from) continue;
    while (next < pending.length && pending[next]!.firstOffset <= lastOffset) abortedProducers.add(pending[next++]!.producerId);
    if ((batch.attributes & IS_CONTROL) !== 0) {
      // The control record's key: version (int16), type (int16: 0 abort, 1 commit).
      if (batch.records[0]?.key?.readInt16BE(2) === 0) abortedProducers.delete(batch.producerId);
      continue;
    }
    if ((batch.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(batch.producerId)) continue;
    kept.push(batch);
  }
  return kept;
}
