import type { RecordBatch } from '../network/stream-element.ts';
import { StatusWatermarkValve } from '../operators/status-watermark-valve.ts';
import type { OneInputStreamOperator } from '../operators/stream-operator.ts';
import type { StreamInputProcessor } from './stream-input-processor.ts';

/** The input of a task whose head has one input: every channel feeds it, time is the minimum over all channels. */
export class StreamOneInputProcessor implements StreamInputProcessor {
  private readonly valve: StatusWatermarkValve;
  private ended = 0;

  constructor(
    private readonly operator: OneInputStreamOperator,
    private readonly channels: number,
    private readonly blame: (error: unknown) => Error,
  ) {
    this.valve = new StatusWatermarkValve(
      channels,
      (timestamp) => this.call(() => operator.processWatermark(timestamp)),
      (idle) => this.call(() => operator.processIdle(idle)),
    );
  }

  processBatch(batch: RecordBatch): void {
    const op = this.operator;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const n = values.length;
    op.recordsIn += n;
    try {
      for (let i = 0; i < n; i++) op.processElement(values[i], timestamps[i]!);
    } catch (e) {
      throw this.blame(e);
    }
  }

  processWatermark(channel: number, timestamp: number): void {
    this.valve.inputWatermark(channel, timestamp);
  }

  processIdle(channel: number, idle: boolean): void {
    this.valve.inputIdle(channel, idle);
  }

  endChannel(channel: number): boolean {
    this.valve.inputEnded(channel);
    return ++this.ended === this.channels;
  }

  private call(action: () => void): void {
    try {
      action();
    } catch (e) {
      throw this.blame(e);
    }
  }
}
