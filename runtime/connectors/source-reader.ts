import type { SourceSplit } from './source.ts';

export type InputStatus = 'more-available' | 'nothing-available' | 'end-of-input';

/**
 * Where a reader emits the records of one split (Flink's SourceOutput). With a WatermarkStrategy on
 * the source, each split output has its own watermark generator and idleness; the subtask emits the
 * minimum watermark over its splits that are not idle, so one slow split holds the watermark back
 * and an idle one does not. `timestamp` is the record's own (a Kafka record's time); omitted: none,
 * unless the strategy's timestamp assigner gives one.
 */
export interface SourceOutput<T> {
  collect(value: T, timestamp?: number): void;
}

/**
 * What `pollNext` emits into (Flink's ReaderOutput). A reader whose splits have an order of their
 * own (a partition, a file range) emits each split's records through `createOutputForSplit(splitId)`
 * (made once per split and kept: calling it per record would allocate) and releases it when the split
 * is finished; a reader without per-split event time may `collect` here directly. A split holds the
 * watermark back from the moment its output is made: a reader holding several splits at once makes
 * the outputs of all of them before it emits from any (else a split read later may find its records
 * late, Flink's FLINK-26018).
 */
export interface ReaderOutput<T> extends SourceOutput<T> {
  /** The output of split `splitId`, the same object for the same id until released. */
  createOutputForSplit(splitId: string): SourceOutput<T>;
  /** The split is finished: it no longer holds the watermark back. */
  releaseOutputForSplit(splitId: string): void;
}

/** What a reader knows about where it runs and how it talks to its enumerator. */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Asks the enumerator for a split (`SplitEnumerator.handleSplitRequest`); the answer comes as `addSplits` or `notifyNoMoreSplits`. */
  sendSplitRequest(): void;
  /** A source-specific message for `SplitEnumerator.handleSourceEvent`; plain (msgpack-able) data. */
  sendSourceEventToCoordinator(event: unknown): void;
}

/**
 * Reads the splits assigned to one source subtask (Flink's SourceReader). Every method is called on
 * the subtask's mailbox, never concurrently: `start`, then `addSplits`, `notifyNoMoreSplits`,
 * `handleSourceEvent`, `pollNext`, `snapshotState`, `notifyCheckpointComplete` in any order, then
 * `close`.
 *
 * `pollNext` emits at most `maxRecords` records synchronously and says what follows:
 * 'more-available' (poll again soon), 'nothing-available' (wait for `available()`, or for a split
 * or an event to arrive, which wakes the subtask too), 'end-of-input' (only after
 * `notifyNoMoreSplits`, once every split is finished: the subtask ends). The hot path is
 * `pollNext`: no promise and no allocation per record there.
 */
export interface SourceReader<T, Split extends SourceSplit = SourceSplit> {
  /** Called once before anything else: a reader that waits for work asks for a split here. */
  start(): void;
  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus;
  /** Resolves when `pollNext` may have records again; asked after it returned 'nothing-available'. */
  available(): Promise<void>;
  /** Splits from the enumerator, or the restored splits of this subtask (with their positions). */
  addSplits(splits: readonly Split[]): void;
  /** The enumerator has no more splits for this reader: a bounded reader ends once its splits are done. */
  notifyNoMoreSplits(): void;
  /** A source-specific message from the enumerator (`SplitEnumeratorContext.sendEventToSourceReader`). */
  handleSourceEvent?(event: unknown): void;
  /** The splits this reader holds and has not finished, each with its position: what a restore resumes. */
  snapshotState(checkpointId: number): Split[];
  /** Checkpoint `checkpointId` completed (e.g. commit offsets to an external system, for monitoring). */
  notifyCheckpointComplete?(checkpointId: number): void;
  close(): void;
}
