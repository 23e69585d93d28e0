import type { VersionedBytes } from '../connectors/simple-versioned-serializer.ts';

/**
 * What a source subtask's SourceOperator tells its source's coordinator in the JobManager (Flink's
 * operator events from a reader). Splits and enumerator states travel serialized.
 *
 * - `reader-registered`: the reader was created (at open). `restoredEnumerator`: subtask 0 of a
 *   restored job carries the enumerator state of the checkpoint it restored from, from which the
 *   coordinator restores the enumerator before it handles any other reader's event.
 * - `split-request`: `SourceReaderContext.sendSplitRequest`.
 * - `source-event`: `SourceReaderContext.sendSourceEventToCoordinator`.
 */
export type ReaderEvent =
  | { readonly kind: 'reader-registered'; readonly restored: boolean; readonly restoredEnumerator?: VersionedBytes }
  | { readonly kind: 'split-request' }
  | { readonly kind: 'source-event'; readonly event: unknown };

/**
 * What a source coordinator tells a source subtask, delivered in order through the subtask's mailbox.
 *
 * - `add-splits`, `no-more-splits`, `source-event`: from the enumerator's context.
 * - `enumerator-checkpoint`: sent to subtask 0 just before checkpoint `checkpointId` is triggered;
 *   subtask 0 stores it with its own state of that checkpoint, which is where the enumerator's state
 *   lives in a checkpoint.
 */
export type CoordinatorEvent =
  | { readonly kind: 'add-splits'; readonly splits: readonly VersionedBytes[] }
  | { readonly kind: 'no-more-splits' }
  | { readonly kind: 'source-event'; readonly event: unknown }
  | { readonly kind: 'enumerator-checkpoint'; readonly checkpointId: number; readonly state: VersionedBytes };

/** Where a source subtask sends its ReaderEvents (over RPC in a cluster, a call in a local run). */
export type ReaderEventGateway = (event: ReaderEvent) => void;
