import type { WatermarkStrategy } from '../functions/watermark-strategy.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader } from '../connectors/source.ts';
import { NO_TIMESTAMP } from '../core/timestamps.ts';
import type { ListState } from '../state/keyed-state.ts';
import type { OperatorSnapshot, OperatorStateRestore } from '../state/state-snapshot.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';

/** The end of time: a bounded source's last watermark, which fires every event-time timer. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

/**
 * Operator list state every source subtask writes one entry into, whatever its splits: a checkpoint
 * then always records the source, so a subtask restored from it knows it is restored even when it
 * is given no split (scaling up, or every split already finished) — Flink's `isRestored()`.
 */
export const SOURCE_RESTORED_MARKER = 'source-restored';

/**
 * Head of a source task: drives a SourceReader in bursts (the task calls `emitNext`), applies
 * the source's watermark strategy, and keeps the reader's split positions as operator state.
 */
export class SourceOperator<T> extends AbstractStreamOperator {
  private reader!: SourceReader<T>;
  private splits!: ListState<unknown>;
  private emitter: WatermarkEmitter<T> | undefined;
  private readerOutput!: ReaderOutput<T>;
  private ended = false;
  private restored = false;
  /** Restored without splits: a bounded subtask ends at once, a continuous one stays idle. */
  private withoutSplits = false;
  private idle = false;

  constructor(
    private readonly source: Source<T>,
    private readonly strategy: WatermarkStrategy<T> | undefined,
    private readonly watermarkInterval: number,
  ) {
    super();
  }

  get bounded(): boolean {
    return this.source.boundedness === 'bounded';
  }

  /** Restored when the checkpoint recorded this source at all: its list states reach every new subtask, maybe empty. */
  override initializeState(restore: OperatorStateRestore): void {
    super.initializeState(restore);
    this.restored = restore.operatorState.length > 0;
  }

  override open(): void {
    this.splits = this.operatorState.getListState('splits');
    this.operatorState.getListState<boolean>(SOURCE_RESTORED_MARKER).update([true]);
    const restoredSplits = this.restored ? [...this.splits.get()] : undefined;
    this.withoutSplits = restoredSplits?.length === 0;
    this.reader = this.source.createReader({ subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism }, restoredSplits);
    const out = this.output;
    if (this.withoutSplits) return;
    if (this.strategy === undefined) {
      this.readerOutput = { collect: (value, timestamp = NO_TIMESTAMP) => out.collect(value, timestamp) };
      return;
    }
    const emitter = (this.emitter = new WatermarkEmitter(this.strategy, out, this.ctx.time, this.watermarkInterval));
    this.readerOutput = {
      collect: (value, timestamp = NO_TIMESTAMP) => {
        const ts = emitter.timestampOf(value, timestamp);
        out.collect(value, ts);
        emitter.onEvent(value, ts);
      },
    };
    emitter.start();
  }

  /** Emits up to `maxRecords` records; at the end of a bounded input, the final watermark. */
  emitNext(maxRecords: number): InputStatus {
    if (this.ended) return 'end-of-input';
    if (this.withoutSplits && !this.bounded) return this.idleWithoutSplits();
    const status = this.withoutSplits ? 'end-of-input' : this.reader.pollNext(this.readerOutput, maxRecords);
    if (status === 'end-of-input') {
      this.ended = true;
      this.emitter?.flush();
      this.emitter?.stop();
      this.output.emitWatermark(MAX_WATERMARK);
    }
    return status;
  }

  available(): Promise<void> {
    // A fresh promise each time that nothing references: the task's waits on it are collected.
    return this.withoutSplits ? new Promise(() => {}) : this.reader.available();
  }

  processElement(): void {
    throw new Error(`source "${this.ctx.name}" has no input`);
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    this.splits.update(this.reader.snapshotState(checkpointId));
    return super.snapshotState(checkpointId);
  }

  /**
   * No split will ever come (there is no split enumerator to hand out new ones): the subtask stays
   * up for checkpoints and cancellation, marked idle so that it holds back no watermark downstream.
   */
  private idleWithoutSplits(): InputStatus {
    if (!this.idle) {
      this.idle = true;
      this.output.emitIdle(true);
    }
    return 'nothing-available';
  }

  override close(): void {
    this.emitter?.stop();
    this.reader?.close();
  }
}
