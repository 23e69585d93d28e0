import type { SourceSplit } from './source.ts';

/** A registered reader (Flink's ReaderInfo). */
export interface ReaderInfo {
  readonly subtaskId: number;
}

/**
 * What an enumerator can do (Flink's SplitEnumeratorContext). Assignments and events reach a reader
 * in the order they were made; the runtime tracks which splits each reader was assigned since the
 * last completed checkpoint, to give them back through `addSplitsBack` when the reader fails.
 */
export interface SplitEnumeratorContext<Split extends SourceSplit> {
  /** The source's parallelism in this attempt. */
  currentParallelism(): number;
  /** Readers that registered, by subtask index. Only they can be assigned splits. */
  registeredReaders(): ReadonlyMap<number, ReaderInfo>;
  /** Assigns splits to registered readers: `assignment.get(subtask)` goes to that subtask's reader. */
  assignSplits(assignment: ReadonlyMap<number, readonly Split[]>): void;
  assignSplit(split: Split, subtaskId: number): void;
  /** No more splits for this reader: a bounded reader ends once its splits are done. */
  signalNoMoreSplits(subtaskId: number): void;
  /** A source-specific message for reader `subtaskId`'s `handleSourceEvent`; plain (msgpack-able) data. */
  sendEventToSourceReader(subtaskId: number, event: unknown): void;
  /**
   * Runs `callable` (discovery: listing files, asking a broker for partitions) off the enumerator's
   * methods, then `handler` with its result or error, on the event loop between enumerator calls.
   * With `period`: first after `initialDelay` ms, then every `period` ms, each run after the previous
   * one settled; until the enumerator is closed. A handler that throws fails the job.
   */
  callAsync<R>(callable: () => Promise<R>, handler: (result: R | undefined, error: unknown) => void, initialDelay?: number, period?: number): void;
}
