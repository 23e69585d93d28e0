import type { WatermarkStrategy } from '../functions/watermark-strategy.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';

/**
 * assignTimestampsAndWatermarks: assigns event timestamps and generates watermarks from them.
 * Upstream watermarks are dropped except the final one (end of input), and so is upstream
 * idleness, as in Flink: this operator's generator (with its own idleness timeout) decides. An
 * upstream idle/active flip (a source between splits) would otherwise reach the two inputs of a
 * downstream two-input operator at different moments and let one input's watermark run ahead.
 */
export class TimestampsAndWatermarksOperator<T> extends AbstractStreamOperator {
  private emitter!: WatermarkEmitter<T>;

  constructor(
    private readonly strategy: WatermarkStrategy<T>,
    private readonly interval: number,
  ) {
    super();
  }

  override open(): void {
    this.emitter = new WatermarkEmitter(this.strategy, this.output, this.ctx.time, this.interval);
    this.emitter.start();
  }

  processElement(value: unknown, timestamp: number): void {
    const ts = this.emitter.timestampOf(value as T, timestamp);
    this.output.collect(value, ts);
    this.emitter.onEvent(value as T, ts);
  }

  override processWatermark(timestamp: number): void {
    if (timestamp !== Number.POSITIVE_INFINITY) return;
    this.emitter.flush();
    this.emitter.stop();
    this.output.emitWatermark(timestamp);
  }

  override processIdle(_idle: boolean): void {}

  override close(): void {
    this.emitter?.stop();
  }
}
