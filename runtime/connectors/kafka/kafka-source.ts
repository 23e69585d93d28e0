import type { Boundedness, Source } from '../source.ts';
import type { SourceReader, SourceReaderContext } from '../source-reader.ts';
import type { SplitEnumerator } from '../split-enumerator.ts';
import type { SplitEnumeratorContext } from '../split-enumerator-context.ts';
import { parseBootstrapServers } from './bootstrap-servers.ts';
import { KAFKA_ENUMERATOR_STATE_SERIALIZER, KAFKA_PARTITION_SPLIT_SERIALIZER, type KafkaEnumeratorState, type KafkaPartitionSplit } from './kafka-partition-split.ts';
import { KafkaSourceEnumerator } from './kafka-source-enumerator.ts';
import { KafkaSourceReader, type KafkaRecord } from './kafka-source-reader.ts';
import { PartitionDiscovery, type StartingOffsets } from './partition-discovery.ts';

export interface KafkaSourceOptions<T> {
  /** `host:port[,host:port...]`: Kafka's `bootstrap.servers`. */
  bootstrapServers: string;
  /** Topic names, or a pattern: every topic whose name matches (checked again at each discovery). */
  topics: string | string[] | RegExp;
  /** The group the checkpointed offsets are committed to (monitoring), and whose offsets 'committed' starts from. */
  groupId?: string;
  /** Where partitions found at the start begin: 'earliest' (default), 'latest', 'committed' (the group's, else earliest), `{ timestamp }` (ms). */
  startingOffsets?: StartingOffsets;
  /** 'latest': end once every partition reaches the last stable offset it had when discovered. */
  bounded?: 'latest';
  /** Record to element; the default is the value as a UTF-8 string ('' for a null value). */
  deserialize?: (record: KafkaRecord) => T;
  /** Unbounded sources look for new partitions this often (ms). Default 30,000 (Flink's default is 5 minutes). */
  partitionDiscoveryInterval?: number;
  /** Consumer settings, by their Kafka names: `fetch.max.wait.ms` (default 100), `max.partition.fetch.bytes` (default 1 MiB). */
  properties?: Record<string, string | number>;
}

const PROPERTIES = new Set(['fetch.max.wait.ms', 'max.partition.fetch.bytes']);

/**
 * Reads Kafka topics (Flink's KafkaSource): one split per topic-partition, discovered by the
 * enumerator and read by the subtasks' readers with offsets kept in checkpoints, so each record
 * counts once in the job's state after any failure. Reads `read_committed`. Each record's Kafka
 * timestamp is its element's timestamp (unless a WatermarkStrategy assigns another); watermarks are
 * generated per partition. See README.md in this folder.
 */
export class KafkaSource<T = string> implements Source<T, KafkaPartitionSplit, KafkaEnumeratorState> {
  readonly boundedness: Boundedness;
  readonly splitSerializer = KAFKA_PARTITION_SPLIT_SERIALIZER;
  readonly enumeratorCheckpointSerializer = KAFKA_ENUMERATOR_STATE_SERIALIZER;
  private readonly topics: readonly string[] | RegExp;

  constructor(private readonly options: KafkaSourceOptions<T>) {
    parseBootstrapServers(options.bootstrapServers);
    this.topics = options.topics instanceof RegExp ? options.topics : typeof options.topics === 'string' ? [options.topics] : [...options.topics];
    if (Array.isArray(this.topics) && (this.topics.length === 0 || this.topics.some((t) => typeof t !== 'string' || t === ''))) throw new Error('KafkaSource: topics must be one or more topic names, or a RegExp');
    const starting = options.startingOffsets ?? 'earliest';
    if (starting !== 'earliest' && starting !== 'latest' && starting !== 'committed' && !(typeof starting === 'object' && Number.isFinite(starting.timestamp))) {
      throw new Error(`KafkaSource: startingOffsets must be 'earliest', 'latest', 'committed' or { timestamp }, not ${JSON.stringify(starting)}`);
    }
    if (starting === 'committed' && options.groupId === undefined) throw new Error("KafkaSource: startingOffsets 'committed' needs a groupId");
    if (options.bounded !== undefined && options.bounded !== 'latest') throw new Error(`KafkaSource: bounded must be 'latest' or absent, not ${JSON.stringify(options.bounded)}`);
    for (const name of Object.keys(options.properties ?? {})) if (!PROPERTIES.has(name)) throw new Error(`KafkaSource: unknown property "${name}" (known: ${[...PROPERTIES].join(', ')})`);
    const interval = options.partitionDiscoveryInterval;
    if (interval !== undefined && !(Number.isSafeInteger(interval) && interval > 0)) throw new Error(`KafkaSource: partitionDiscoveryInterval must be a positive number of ms, not ${interval}`);
    this.boundedness = options.bounded === undefined ? 'continuous' : 'bounded';
  }

  createEnumerator(context: SplitEnumeratorContext<KafkaPartitionSplit>): SplitEnumerator<KafkaPartitionSplit, KafkaEnumeratorState> {
    return this.enumerator(context, undefined);
  }

  restoreEnumerator(context: SplitEnumeratorContext<KafkaPartitionSplit>, state: KafkaEnumeratorState): SplitEnumerator<KafkaPartitionSplit, KafkaEnumeratorState> {
    return this.enumerator(context, state);
  }

  createReader(context: SourceReaderContext): SourceReader<T, KafkaPartitionSplit> {
    const properties = this.options.properties ?? {};
    return new KafkaSourceReader<T>(context, {
      bootstrapServers: this.options.bootstrapServers,
      groupId: this.options.groupId,
      deserialize: this.options.deserialize ?? (utf8Value as (record: KafkaRecord) => T),
      maxWaitMs: properties['fetch.max.wait.ms'] === undefined ? undefined : Number(properties['fetch.max.wait.ms']),
      partitionMaxBytes: properties['max.partition.fetch.bytes'] === undefined ? undefined : Number(properties['max.partition.fetch.bytes']),
    });
  }

  private enumerator(context: SplitEnumeratorContext<KafkaPartitionSplit>, state: KafkaEnumeratorState | undefined): KafkaSourceEnumerator {
    const discovery = new PartitionDiscovery(this.options.bootstrapServers, this.topics, this.options.groupId);
    const options = { startingOffsets: this.options.startingOffsets ?? 'earliest', bounded: this.boundedness === 'bounded', partitionDiscoveryInterval: this.options.partitionDiscoveryInterval ?? 30_000 };
    return new KafkaSourceEnumerator(context, discovery, options, state);
  }
}

function utf8Value(record: KafkaRecord): string {
  return record.value === null ? '' : record.value.toString('utf8');
}
