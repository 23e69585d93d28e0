/** Receives watermarks and idleness from a WatermarkGenerator. */
export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  /** No events for a while: downstream should not wait for this stream's watermark. */
  markIdle(): void;
}

/** Flink's WatermarkGenerator: punctuated (in onEvent) or periodic (in onPeriodicEmit). */
export interface WatermarkGenerator<T> {
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts the event time of a record; `recordTimestamp` is the timestamp it already has. */
export type TimestampAssigner<T> = (event: T, recordTimestamp: number) => number;

/** Watermarks for a bounded amount of disorder: the largest timestamp seen minus `maxOutOfOrderness` minus 1. */
class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  constructor(private readonly maxOutOfOrderness: number) {
    this.maxTimestamp = Number.NEGATIVE_INFINITY;
  }
  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp !== Number.NEGATIVE_INFINITY) output.emitWatermark(this.maxTimestamp - this.maxOutOfOrderness - 1);
  }
}

const NO_WATERMARKS: WatermarkGenerator<unknown> = { onEvent() {}, onPeriodicEmit() {} };

/** How a stream gets timestamps and watermarks, as in Flink. Immutable; `with…` returns a new one. */
export class WatermarkStrategy<T> {
  private constructor(
    readonly createWatermarkGenerator: () => WatermarkGenerator<T>,
    readonly timestampAssigner: TimestampAssigner<T> | undefined,
    readonly idleTimeout: number | undefined,
  ) {}

  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forBoundedOutOfOrderness<T>(0);
  }

  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    if (!(maxOutOfOrdernessMs >= 0)) throw new RangeError(`maxOutOfOrderness must be >= 0 ms, got ${maxOutOfOrdernessMs}`);
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs), undefined, undefined);
  }

  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory, undefined, undefined);
  }

  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => NO_WATERMARKS as WatermarkGenerator<T>, undefined, undefined);
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.createWatermarkGenerator, assigner, this.idleTimeout);
  }

  /** Marks the stream idle after `timeoutMs` of processing time without records. */
  withIdleness(timeoutMs: number): WatermarkStrategy<T> {
    if (!(timeoutMs > 0)) throw new RangeError(`idleness timeout must be > 0 ms, got ${timeoutMs}`);
    return new WatermarkStrategy<T>(this.createWatermarkGenerator, this.timestampAssigner, timeoutMs);
  }
}
