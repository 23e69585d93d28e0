import { Admin } from '@platformatic/kafka';
import type { InputStatus, ReaderOutput, SourceOutput, SourceReader, SourceReaderContext } from '../source-reader.ts';
import { bootstrapBrokers } from './bootstrap-servers.ts';
import { CLIENT_RETRIES } from './client-retries.ts';
import type { KafkaPartitionSplit } from './kafka-partition-split.ts';
import { PartitionFetcher, type FetchedPartition, type FetchPosition } from './partition-fetcher.ts';

/**
 * A Kafka record as `deserialize` gets it. The reader passes the same object for every record of a
 * subtask (refilled each time): keep what you need, not the object.
 */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The record's timestamp (ms): CreateTime, or LogAppendTime if the topic says so. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header names and values as Kafka has them, in order. */
  headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

export interface KafkaSourceReaderOptions<T> {
  readonly bootstrapServers: string;
  readonly groupId: string | undefined;
  readonly deserialize: (record: KafkaRecord) => T;
  readonly maxWaitMs?: number;
  readonly partitionMaxBytes?: number;
}

/** A split being read: where records are emitted up to, and where the next fetch starts. */
interface ReadingSplit {
  readonly split: KafkaPartitionSplit;
  readonly fetch: FetchPosition;
  readonly stop: number;
  readonly output: SourceOutput<unknown>;
  removed: boolean;
}

interface Fetched {
  readonly reading: ReadingSplit;
  readonly fetched: FetchedPartition;
}

/** Fetched responses waiting to be emitted, at most this many before the fetch loop waits. */
const MAX_QUEUED = 8;

/**
 * Reads the partitions assigned to one source subtask (Flink's KafkaSourceReader with its split
 * fetcher): a loop in the background fetches every assigned partition from its leader
 * (`PartitionFetcher`, read_committed) into a short queue, and `pollNext` emits from that queue
 * synchronously, advancing each split's offset record by record, so a snapshot holds exactly the
 * offsets after the records emitted. A split with a stopping offset (bounded) is finished once its
 * offset reaches it. On checkpoint completion the checkpointed offsets are committed to `groupId`,
 * for monitoring only: a restore takes its offsets from the checkpoint.
 */
export class KafkaSourceReader<T> implements SourceReader<T, KafkaPartitionSplit> {
  private readonly fetcher: PartitionFetcher;
  private readonly splits = new Map<string, ReadingSplit>();
  /** Splits added and not started yet: a split's output comes from the ReaderOutput of the next pollNext. */
  private readonly pendingSplits: KafkaPartitionSplit[] = [];
  private readonly queue: Fetched[] = [];
  /** The queue entry being emitted: its batch and record indices. */
  private batchIndex = 0;
  private recordIndex = 0;
  private noMoreSplits = false;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeFetcher: (() => void) | undefined;
  private readonly record: KafkaRecord = { topic: '', partition: 0, offset: 0, timestamp: 0, key: null, value: null, headers: [] };
  /** Offsets per checkpoint, committed to the group when it completes. */
  private readonly checkpointed = new Map<number, { topic: string; partition: number; offset: number }[]>();
  private admin: Admin | undefined;
  private readonly deserialize: (record: KafkaRecord) => T;

  constructor(
    private readonly context: SourceReaderContext,
    private readonly options: KafkaSourceReaderOptions<T>,
  ) {
    this.fetcher = new PartitionFetcher({ bootstrapServers: options.bootstrapServers, clientId: `sluice-kafka-source-${context.subtaskIndex}`, maxWaitMs: options.maxWaitMs, partitionMaxBytes: options.partitionMaxBytes });
    this.deserialize = options.deserialize;
  }

  start(): void {
    void this.fetchLoop();
  }

  addSplits(splits: readonly KafkaPartitionSplit[]): void {
    // Outputs are made when emitting starts (the ReaderOutput comes with pollNext).
    for (const split of splits) this.pendingSplits.push({ ...split });
    this.wakeReader?.();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeReader?.();
  }

  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus {
    if (this.failure !== undefined) throw this.failure.error;
    if (this.pendingSplits.length > 0) this.startSplits(output);
    let emitted = 0;
    while (emitted < maxRecords && this.queue.length > 0) {
      const { reading, fetched } = this.queue[0]!;
      if (reading.removed) {
        this.nextEntry();
        continue;
      }
      const split = reading.split;
      const batches = fetched.batches;
      while (emitted < maxRecords && this.batchIndex < batches.length) {
        const batch = batches[this.batchIndex]!;
        const records = batch.records;
        const firstOffset = Number(batch.firstOffset);
        const firstTimestamp = Number(batch.firstTimestamp);
        while (emitted < maxRecords && this.recordIndex < records.length) {
          const r = records[this.recordIndex++]!;
          const offset = firstOffset + r.offsetDelta;
          if (offset < split.offset || offset >= reading.stop) continue;
          const record = this.record;
          record.topic = split.topic;
          record.partition = split.partition;
          record.offset = offset;
          record.timestamp = firstTimestamp + Number(r.timestampDelta);
          record.key = r.key;
          record.value = r.value;
          record.headers = r.headers;
          const value = this.deserialize(record);
          split.offset = offset + 1;
          reading.output.collect(value, record.timestamp);
          emitted++;
        }
        if (this.recordIndex < records.length) break;
        this.batchIndex++;
        this.recordIndex = 0;
      }
      if (this.batchIndex < batches.length) break;
      // The whole response is emitted: the split moves past what it covered (control records, aborted transactions).
      split.offset = Math.max(split.offset, Math.min(Number(fetched.nextOffset), reading.stop));
      this.nextEntry();
      if (split.offset >= reading.stop) this.finishSplit(reading, output);
    }
    if (emitted > 0 || this.queue.length > 0) return 'more-available';
    for (const reading of this.splits.values()) if (reading.split.offset >= reading.stop) this.finishSplit(reading, output);
    if (this.noMoreSplits && this.splits.size === 0 && this.pendingSplits.length === 0) return 'end-of-input';
    return 'nothing-available';
  }

  available(): Promise<void> {
    if (this.queue.length > 0 || this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.wakeReader = () => {
        this.wakeReader = undefined;
        resolve();
      };
    });
  }

  snapshotState(checkpointId: number): KafkaPartitionSplit[] {
    const held = [...[...this.splits.values()].map((r) => r.split), ...this.pendingSplits].map((s) => ({ ...s }));
    if (this.options.groupId !== undefined) this.checkpointed.set(checkpointId, held.map((s) => ({ topic: s.topic, partition: s.partition, offset: s.offset })));
    return held;
  }

  /** Commits the checkpoint's offsets to the group, for monitoring (lag); failures only cost that. */
  notifyCheckpointComplete(checkpointId: number): void {
    const offsets = this.checkpointed.get(checkpointId);
    for (const id of this.checkpointed.keys()) if (id <= checkpointId) this.checkpointed.delete(id);
    if (offsets === undefined || offsets.length === 0) return;
    this.admin ??= new Admin({ clientId: `sluice-kafka-source-${this.context.subtaskIndex}`, bootstrapBrokers: bootstrapBrokers(this.options.bootstrapServers), ...CLIENT_RETRIES });
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: BigInt(o.offset) }]);
    this.admin.alterConsumerGroupOffsets({ groupId: this.options.groupId!, topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })) }).catch(() => {});
  }

  close(): void {
    this.closed = true;
    this.wakeFetcher?.();
    void this.fetcher.close();
    void this.admin?.close().catch(() => {});
  }

  private startSplits(output: ReaderOutput<T>): void {
    for (const split of this.pendingSplits.splice(0)) {
      this.splits.set(split.splitId, {
        split,
        fetch: { topic: split.topic, partition: split.partition, offset: BigInt(split.offset) },
        stop: split.stoppingOffset ?? Number.POSITIVE_INFINITY,
        output: output.createOutputForSplit(split.splitId) as SourceOutput<unknown>,
        removed: false,
      });
    }
    this.wakeFetcher?.();
  }

  private finishSplit(reading: ReadingSplit, output: ReaderOutput<T>): void {
    if (reading.removed) return;
    reading.removed = true;
    this.splits.delete(reading.split.splitId);
    output.releaseOutputForSplit(reading.split.splitId);
  }

  private nextEntry(): void {
    this.queue.shift();
    this.batchIndex = 0;
    this.recordIndex = 0;
    this.wakeFetcher?.();
  }

  /** Fetches every split that has not fetched up to its stopping offset, while the queue has room. */
  private async fetchLoop(): Promise<void> {
    try {
      while (!this.closed) {
        const wanted = [...this.splits.values()].filter((r) => Number(r.fetch.offset) < r.stop);
        if (wanted.length === 0 || this.queue.length >= MAX_QUEUED) {
          await new Promise<void>((resolve) => (this.wakeFetcher = resolve));
          this.wakeFetcher = undefined;
          continue;
        }
        const fetched = await this.fetcher.fetch(wanted.map((r) => r.fetch));
        if (this.closed) return;
        for (const f of fetched) {
          const reading = this.splits.get(`${f.position.topic}-${f.position.partition}`);
          if (reading === undefined || reading.removed) continue;
          if (f.nextOffset === f.position.offset) continue;
          reading.fetch.offset = f.nextOffset;
          this.queue.push({ reading, fetched: f });
        }
        if (this.queue.length > 0) this.wakeReader?.();
      }
    } catch (error) {
      if (this.closed) return;
      this.failure = { error };
      this.wakeReader?.();
    }
  }
}
