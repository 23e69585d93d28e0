import type { WatermarkStrategy } from '../functions/watermark-strategy.ts';
import { deserializeVersioned, serializeVersioned, type VersionedBytes } from '../connectors/simple-versioned-serializer.ts';
import type { InputStatus, SourceReader } from '../connectors/source-reader.ts';
import type { AnySource, SourceSplit } from '../connectors/source.ts';
import type { ListState } from '../state/keyed-state.ts';
import type { OperatorSnapshot, OperatorStateRestore } from '../state/state-snapshot.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import type { CoordinatorEvent, ReaderEventGateway } from './source-operator-event.ts';
import { SourceReaderOutput } from './source-reader-output.ts';

/** The end of time: a bounded source's last watermark, which fires every event-time timer. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/**
 * Operator list state every source subtask writes one entry into, whatever its splits: a checkpoint
 * then always records the source, so a subtask restored from it knows it is restored even when it
 * is given no split (scaling up, or every split already finished) — Flink's `isRestored()`.
 */
export const SOURCE_RESTORED_MARKER = 'source-restored';

const NO_COORDINATOR: ReaderEventGateway = () => {
  throw new Error('this source subtask has no coordinator to talk to: the task was started without a reader event gateway');
};

/**
 * Head of a source task (Flink's SourceOperator): runs a SourceReader in bursts (the task calls
 * `emitNext`), talks to the source's coordinator in the JobManager (registration, split requests,
 * assignments; `handleCoordinatorEvent` runs on the mailbox), applies the WatermarkStrategy per
 * split, and keeps as operator state the reader's splits with their positions and, in subtask 0,
 * the enumerator's state of the same checkpoint.
 */
export class SourceOperator<T> extends AbstractStreamOperator {
  private reader!: SourceReader<T, SourceSplit>;
  private splits!: ListState<VersionedBytes>;
  private enumerator!: ListState<VersionedBytes>;
  private readerOutput!: SourceReaderOutput<T>;
  private gateway: ReaderEventGateway = NO_COORDINATOR;
  private ended = false;
  private restored = false;
  /** The enumerator's state for the checkpoint about to be taken (subtask 0 only). */
  private enumeratorCheckpoint: { checkpointId: number; state: VersionedBytes } | undefined;

  constructor(
    /** Read by the JobManager too, which builds the source's coordinator from it (Flink's coordinator provider). */
    readonly source: AnySource<T>,
    private readonly strategy: WatermarkStrategy<T> | undefined,
    private readonly watermarkInterval: number,
  ) {
    super();
  }

  get bounded(): boolean {
    return this.source.boundedness === 'bounded';
  }

  /** Where this subtask's reader events go; set by the task before `open`. */
  setReaderEventGateway(gateway: ReaderEventGateway): void {
    this.gateway = gateway;
  }

  /** Restored when the checkpoint recorded this source at all: its list states reach every new subtask, maybe empty. */
  override initializeState(restore: OperatorStateRestore): void {
    super.initializeState(restore);
    this.restored = restore.operatorState.length > 0;
  }

  override open(): void {
    this.splits = this.operatorState.getListState('splits');
    this.enumerator = this.operatorState.getListState('enumerator');
    this.operatorState.getListState<boolean>(SOURCE_RESTORED_MARKER).update([true]);
    const gateway = this.gateway;
    this.reader = this.source.createReader({
      subtaskIndex: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      sendSplitRequest: () => gateway({ kind: 'split-request' }),
      sendSourceEventToCoordinator: (event) => gateway({ kind: 'source-event', event }),
    });
    this.readerOutput = new SourceReaderOutput(this.output, this.strategy, this.ctx.time, this.watermarkInterval);
    const serializer = this.source.splitSerializer;
    const restoredSplits = this.restored ? this.splits.get().map((s) => deserializeVersioned<SourceSplit>(serializer, s)) : [];
    if (restoredSplits.length > 0) this.reader.addSplits(restoredSplits);
    const restoredEnumerator = this.restored ? this.enumerator.get()[0] : undefined;
    this.gateway({ kind: 'reader-registered', restored: this.restored, ...(restoredEnumerator ? { restoredEnumerator } : {}) });
    this.reader.start();
  }

  /** An assignment, a signal or the enumerator's checkpoint state, in the order the coordinator sent them. */
  handleCoordinatorEvent(event: CoordinatorEvent): void {
    switch (event.kind) {
      case 'enumerator-checkpoint':
        this.enumeratorCheckpoint = { checkpointId: event.checkpointId, state: event.state };
        return;
      case 'add-splits':
        if (!this.ended) this.reader.addSplits(event.splits.map((s) => deserializeVersioned<SourceSplit>(this.source.splitSerializer, s)));
        return;
      case 'no-more-splits':
        if (!this.ended) this.reader.notifyNoMoreSplits();
        return;
      case 'source-event':
        if (!this.ended) this.reader.handleSourceEvent?.(event.event);
        return;
    }
  }

  /** Emits up to `maxRecords` records; at the end of a bounded input, the final watermark. */
  emitNext(maxRecords: number): InputStatus {
    if (this.ended) return 'end-of-input';
    const status = this.reader.pollNext(this.readerOutput, maxRecords);
    if (status === 'end-of-input') {
      this.ended = true;
      this.readerOutput.flush();
      this.readerOutput.close();
      this.output.emitWatermark(MAX_WATERMARK);
    }
    return status;
  }

  available(): Promise<void> {
    return this.reader.available();
  }

  processElement(): void {
    throw new Error(`source "${this.ctx.name}" has no input`);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    const serializer = this.source.splitSerializer;
    this.splits.update(this.ended ? [] : this.reader.snapshotState(checkpointId).map((s) => serializeVersioned(serializer, s)));
    if (this.ctx.subtaskIndex === 0) {
      const e = this.enumeratorCheckpoint;
      if (e?.checkpointId !== checkpointId) {
        throw new Error(`source "${this.ctx.name}": checkpoint ${checkpointId} reached subtask 0 without the enumerator's state of that checkpoint`);
      }
      this.enumerator.update([e.state]);
    }
    return super.snapshotState(checkpointId);
  }

  override notifyCheckpointComplete(checkpointId: number): void {
    this.reader.notifyCheckpointComplete?.(checkpointId);
  }

  override close(): void {
    this.readerOutput?.close();
    this.reader?.close();
  }
}
