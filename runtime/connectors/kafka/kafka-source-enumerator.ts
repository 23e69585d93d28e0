import type { SplitEnumerator } from '../split-enumerator.ts';
import type { SplitEnumeratorContext } from '../split-enumerator-context.ts';
import { partitionSplit, type KafkaEnumeratorState, type KafkaPartitionSplit } from './kafka-partition-split.ts';
import type { PartitionDiscovery, StartingOffsets, TopicPartition } from './partition-discovery.ts';

export interface KafkaSourceEnumeratorOptions {
  readonly startingOffsets: StartingOffsets;
  readonly bounded: boolean;
  /** Continuous sources: discover partitions again every this many ms. */
  readonly partitionDiscoveryInterval: number | undefined;
}

/**
 * Discovers the subscribed topics' partitions and assigns each to one reader (Flink's
 * KafkaSourceEnumerator): at start, and for an unbounded source every `partitionDiscoveryInterval`
 * ms. A partition found at start begins at `startingOffsets`; one found later (added while the job
 * runs) at its earliest offset, so none of its records is missed. Bounded: each split also gets its
 * stopping offset (the last stable offset when it was discovered), and after the first discovery
 * every reader is told that no more splits come. A partition always goes to the same reader for a
 * given parallelism (Flink's `(hash(topic) * 31 & 0x7fffffff) % readers + partition`), so splits
 * given back by a failed reader return to it when it registers again.
 */
export class KafkaSourceEnumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaEnumeratorState> {
  private readonly discovered: Set<string>;
  /** Splits waiting for their reader to register. */
  private readonly pending: KafkaPartitionSplit[];
  /** Partitions found from now on were added while the job ran: they start at the earliest offset. */
  private firstDiscoveryDone: boolean;
  /** Bounded: this attempt's discovery is done, so readers can be told when they have all their splits. */
  private discoveredThisAttempt = false;
  private readonly signalled = new Set<number>();

  constructor(
    private readonly context: SplitEnumeratorContext<KafkaPartitionSplit>,
    private readonly discovery: PartitionDiscovery,
    private readonly options: KafkaSourceEnumeratorOptions,
    state?: KafkaEnumeratorState,
  ) {
    this.discovered = new Set(state?.discovered ?? []);
    this.pending = state?.pending.map((s) => ({ ...s })) ?? [];
    // A restored enumerator made its first discovery in an earlier attempt.
    this.firstDiscoveryDone = state !== undefined;
  }

  start(): void {
    const discover = () => this.discoverSplits();
    const handle = (splits: KafkaPartitionSplit[] | undefined, error: unknown) => {
      if (error !== undefined && error !== null) throw error;
      for (const split of splits!) {
        if (this.discovered.has(split.splitId)) continue;
        this.discovered.add(split.splitId);
        this.pending.push(split);
      }
      this.firstDiscoveryDone = true;
      this.discoveredThisAttempt = true;
      this.assignPending();
    };
    const interval = this.options.bounded ? undefined : this.options.partitionDiscoveryInterval;
    if (interval === undefined) this.context.callAsync(discover, handle);
    else this.context.callAsync(discover, handle, 0, interval);
  }

  /** A reader (maybe of a restarted subtask) registered: it gets its pending splits, and is told again if no more come. */
  addReader(subtaskId: number): void {
    this.signalled.delete(subtaskId);
    this.assignPending();
  }

  /** Readers are given their partitions; a request changes nothing. */
  handleSplitRequest(): void {}

  addSplitsBack(splits: readonly KafkaPartitionSplit[]): void {
    for (const s of splits) this.pending.push({ ...s });
    this.assignPending();
  }

  snapshotState(): KafkaEnumeratorState {
    return { discovered: [...this.discovered], pending: this.pending.map((s) => ({ ...s })) };
  }

  close(): void {
    void this.discovery.close().catch(() => {});
  }

  /** The partitions not seen before, as splits at their starting (and, bounded, stopping) offsets. */
  private async discoverSplits(): Promise<KafkaPartitionSplit[]> {
    const fresh = (await this.discovery.partitions()).filter((p) => !this.discovered.has(`${p.topic}-${p.partition}`));
    const starting = await this.discovery.offsets(fresh, this.firstDiscoveryDone ? 'earliest' : this.options.startingOffsets);
    const stopping = this.options.bounded ? await this.discovery.offsets(fresh, 'stopping') : undefined;
    return fresh.map((p, i) => partitionSplit(p.topic, p.partition, Math.min(starting[i]!, stopping?.[i] ?? Number.MAX_SAFE_INTEGER), stopping?.[i]));
  }

  private assignPending(): void {
    const readers = this.context.registeredReaders();
    const parallelism = this.context.currentParallelism();
    const assignment = new Map<number, KafkaPartitionSplit[]>();
    for (let i = 0; i < this.pending.length; ) {
      const split = this.pending[i]!;
      const owner = ownerOf(split, parallelism);
      if (!readers.has(owner)) {
        i++;
        continue;
      }
      this.pending.splice(i, 1);
      assignment.set(owner, [...(assignment.get(owner) ?? []), split]);
    }
    if (assignment.size > 0) this.context.assignSplits(assignment);
    if (!this.options.bounded || !this.discoveredThisAttempt) return;
    for (const reader of readers.keys()) {
      if (this.signalled.has(reader) || this.pending.some((s) => ownerOf(s, parallelism) === reader)) continue;
      this.signalled.add(reader);
      this.context.signalNoMoreSplits(reader);
    }
  }
}

/** Flink's KafkaSourceEnumerator.getSplitOwner. */
export function ownerOf(split: TopicPartition, readers: number): number {
  let hash = 0;
  for (let i = 0; i < split.topic.length; i++) hash = (Math.imul(hash, 31) + split.topic.charCodeAt(i)) | 0;
  const startIndex = ((Math.imul(hash, 31) & 0x7fffffff) % readers);
  return (startIndex + split.partition) % readers;
}
