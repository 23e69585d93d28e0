import type { SimpleVersionedSerializer } from './simple-versioned-serializer.ts';
import type { SourceReader, SourceReaderContext } from './source-reader.ts';
import type { SplitEnumerator } from './split-enumerator.ts';
import type { SplitEnumeratorContext } from './split-enumerator-context.ts';

export type Boundedness = 'bounded' | 'continuous';

/**
 * A unit of work of a source (Flink's SourceSplit): a byte range of a file, a Kafka
 * topic-partition, a range of a generated sequence. Splits are plain data; a reader's copy carries
 * its position (the offset to read next), so the split a reader snapshots is the split to resume.
 * `splitId` is unique within the source and stable across restarts: per-split watermarks and
 * assignments are keyed by it.
 */
export interface SourceSplit {
  readonly splitId: string;
}

/**
 * A source in Flink's FLIP-27 shape: a {@link SplitEnumerator} in the JobManager (in a local run,
 * beside the readers) discovers splits and assigns them to the {@link SourceReader}s that run in
 * the source's subtasks.
 *
 * Every process of a job builds the same Source object from the job module; only splits, enumerator
 * checkpoints and source events travel, as bytes from the two serializers (and source events as
 * msgpack-able data).
 *
 * Checkpoints: the enumerator's state (splits it discovered and has not assigned) is taken first,
 * then every reader snapshots the splits it holds with their positions. Splits assigned after the
 * enumerator's snapshot reach their readers after the readers' snapshots, so a restore from that
 * checkpoint finds each split exactly once: unassigned in the enumerator, or held by a reader. On
 * restore the enumerator comes from `restoreEnumerator`, and the readers' splits are dealt out over
 * the new parallelism (a reader gets its restored splits through `addSplits` before it is polled).
 *
 * `boundedness`: a bounded source ends once each reader was told that no more splits come and
 * finished its splits; a continuous one runs until cancelled.
 */
export interface Source<T, Split extends SourceSplit = SourceSplit, EnumState = unknown> {
  readonly boundedness: Boundedness;
  createReader(context: SourceReaderContext): SourceReader<T, Split>;
  /** A new enumerator, for a job that starts without state. */
  createEnumerator(context: SplitEnumeratorContext<Split>): SplitEnumerator<Split, EnumState>;
  /** An enumerator continuing from `state`, which `snapshotState` of an earlier one returned. */
  restoreEnumerator(context: SplitEnumeratorContext<Split>, state: EnumState): SplitEnumerator<Split, EnumState>;
  readonly splitSerializer: SimpleVersionedSerializer<Split>;
  readonly enumeratorCheckpointSerializer: SimpleVersionedSerializer<EnumState>;
}

/** A source of any split and state type, as the runtime holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySource<T = unknown> = Source<T, any, any>;
