import type { SourceSplit } from './source.ts';

/**
 * Discovers a source's splits and assigns them to its readers (Flink's SplitEnumerator). It runs in
 * the JobManager (in a local run, in the same process as the readers), one per source and job
 * attempt, on the event loop: its methods are never called concurrently, and the handlers of
 * `SplitEnumeratorContext.callAsync` run between them.
 *
 * Lifecycle: `start` (begin discovery; periodic discovery with `callAsync`), then any of
 * `addReader`, `handleSplitRequest`, `addSplitsBack`, `handleSourceEvent`, `snapshotState`,
 * `notifyCheckpointComplete`, then `close` when the attempt ends.
 */
export interface SplitEnumerator<Split extends SourceSplit, EnumState> {
  start(): void;
  /**
   * Subtask `subtaskId` registered its reader (`context.registeredReaders()` has it now). A restored
   * reader already holds its restored splits; an enumerator that assigns eagerly assigns here.
   */
  addReader(subtaskId: number): void;
  /** Reader `subtaskId` asks for a split: assign one, or `signalNoMoreSplits` when none will come. */
  handleSplitRequest(subtaskId: number): void;
  /**
   * Splits that reader `subtaskId` had been assigned since the last completed checkpoint and lost
   * (its subtask failed): they are unassigned again and must be assigned to a reader again.
   */
  addSplitsBack(splits: readonly Split[], subtaskId: number): void;
  /** A source-specific message from reader `subtaskId` (`SourceReaderContext.sendSourceEventToCoordinator`). */
  handleSourceEvent?(subtaskId: number, event: unknown): void;
  /**
   * The enumerator's part of checkpoint `checkpointId`: at least the splits it discovered and has not
   * assigned. Taken before any reader's snapshot of the same checkpoint.
   */
  snapshotState(checkpointId: number): EnumState;
  notifyCheckpointComplete?(checkpointId: number): void;
  /** The attempt ended: release what `start` acquired (the context stops the `callAsync` calls itself). */
  close(): void;
}
