/**
 * Sources, in the spirit of Flink's FLIP-27 API without a split enumerator: a source divides its
 * work into splits; a fresh subtask takes its share of them, a restored one gets the split
 * positions from operator state (redistributed by the runtime when parallelism changes) and
 * nothing else, even when that is no split at all.
 */

export type InputStatus = 'more-available' | 'nothing-available' | 'end-of-input';

/** Where a reader emits records; the timestamp is optional (event time may be assigned later). */
export interface ReaderOutput<T> {
  collect(value: T, timestamp?: number): void;
}

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

export interface SourceReader<T> {
  /**
   * Emits at most `maxRecords` records synchronously. 'nothing-available' means: wait for
   * `available()` before polling again.
   */
  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus;
  available(): Promise<void>;
  /** The positions of this reader's splits; each entry must be restorable on its own. */
  snapshotState(checkpointId: number): unknown[];
  close(): void;
}

export interface Source<T> {
  readonly boundedness: 'bounded' | 'continuous';
  /**
   * `restoredSplits` is undefined on a fresh start (create the initial splits), else the split states
   * assigned to this restored subtask — possibly none, when the job was scaled up or every split had
   * finished: such a reader is never polled (a bounded subtask ends, a continuous one stays idle).
   */
  createReader(context: SourceReaderContext, restoredSplits: readonly unknown[] | undefined): SourceReader<T>;
}
