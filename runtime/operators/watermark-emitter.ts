import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '../functions/watermark-strategy.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';
import type { Output } from './output.ts';

/** Where watermarks and idleness go: an operator's output, or one split's input of a WatermarkOutputMultiplexer. */
export type WatermarkSink = Pick<Output, 'emitWatermark' | 'emitIdle'>;

/**
 * Applies a WatermarkStrategy to a stream: assigns timestamps, feeds the generator, emits
 * monotonic watermarks (punctuated, and periodically from the mailbox), and marks the stream
 * idle when no record arrived within the idleness timeout.
 */
export class WatermarkEmitter<T> implements WatermarkOutput {
  private readonly generator: WatermarkGenerator<T>;
  private readonly assigner: ((event: T, ts: number) => number) | undefined;
  private lastWatermark = Number.NEGATIVE_INFINITY;
  private idle = false;
  private sawEvent = false;
  private stopped = false;
  private readonly idleTimeout: number | undefined;
  private idleSince = 0;

  constructor(
    strategy: WatermarkStrategy<T>,
    private readonly output: WatermarkSink,
    private readonly time: ProcessingTimeService,
    private readonly interval: number,
  ) {
    this.generator = strategy.createWatermarkGenerator();
    this.assigner = strategy.timestampAssigner;
    this.idleTimeout = strategy.idleTimeout;
  }

  /** Starts periodic emission. */
  start(): void {
    this.idleSince = this.time.now();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
  }

  /** The record's event timestamp (from the assigner, else the one it carries). */
  timestampOf(value: T, recordTimestamp: number): number {
    return this.assigner === undefined ? recordTimestamp : this.assigner(value, recordTimestamp);
  }

  /** After the record was emitted: lets the generator see it (a punctuated watermark follows the record, as in Flink). */
  onEvent(value: T, timestamp: number): void {
    this.sawEvent = true;
    if (this.idle) {
      this.idle = false;
      this.output.emitIdle(false);
    }
    this.generator.onEvent(value, timestamp, this);
  }

  /** Emits what the generator has now (end of input, before the final watermark). */
  flush(): void {
    this.generator.onPeriodicEmit(this);
  }

  emitWatermark(timestamp: number): void {
    if (timestamp <= this.lastWatermark) return;
    this.lastWatermark = timestamp;
    if (this.idle) {
      this.idle = false;
      this.output.emitIdle(false);
    }
    this.output.emitWatermark(timestamp);
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.output.emitIdle(true);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.time.schedule(this.time.now() + this.interval, () => this.periodic());
  }

  private periodic(): void {
    if (this.stopped) return;
    this.generator.onPeriodicEmit(this);
    if (this.idleTimeout !== undefined) this.checkIdle();
    this.schedule();
  }

  private checkIdle(): void {
    const now = this.time.now();
    if (this.sawEvent) {
      this.sawEvent = false;
      this.idleSince = now;
    } else if (now - this.idleSince >= this.idleTimeout!) this.markIdle();
  }
}
