/**
 * Sources, in the spirit of Flink's FLIP-27 API without a split enumerator: a source divides its
 * work into splits; a fresh subtask takes its share of them, a restored one gets the split
 * positions from operator state (redistributed by the runtime when parallelism changes).
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
  /** `restoredSplits` is undefined on a fresh start, else the split states assigned to this subtask. */
  createReader(context: SourceReaderContext, restoredSplits: readonly unknown[] | undefined): SourceReader<T>;
}
