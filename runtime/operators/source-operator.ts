import type { WatermarkStrategy } from '../api/watermark-strategy.ts';
import type { InputStatus, ReaderOutput, Source, SourceReader } from '../connectors/source.ts';
import { NO_TIMESTAMP } from '../network/stream-element.ts';
import type { ListState } from '../state/keyed-state.ts';
import type { OperatorSnapshot } from '../state/state-snapshot.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';

/** The end of time: a bounded source's last watermark, which fires every event-time timer. */
export const MAX_WATERMARK = Number.POSITIVE_INFINITY;

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

  override open(): void {
    this.splits = this.operatorState.getListState('splits');
    const restored = this.splits.get();
    this.reader = this.source.createReader(
      { subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism },
      restored.length > 0 ? [...restored] : undefined,
    );
    const out = this.output;
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
    const status = this.reader.pollNext(this.readerOutput, maxRecords);
    if (status === 'end-of-input') {
      this.ended = true;
      this.emitter?.flush();
      this.emitter?.stop();
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
    this.splits.update(this.reader.snapshotState(checkpointId));
    return super.snapshotState(checkpointId);
  }

  override close(): void {
    this.emitter?.stop();
    this.reader?.close();
  }
}
