import type { ReaderOutput, SourceOutput } from '../connectors/source-reader.ts';
import type { WatermarkStrategy } from '../functions/watermark-strategy.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';
import { NO_TIMESTAMP } from '../core/timestamps.ts';
import type { Output } from './output.ts';
import { WatermarkEmitter } from './watermark-emitter.ts';
import { WatermarkOutputMultiplexer } from './watermark-output-multiplexer.ts';

/** The output of records a reader emits without a split (`ReaderOutput.collect`), in watermark terms. */
const MAIN_OUTPUT = '';

/** One split's output with the source's WatermarkStrategy: its own timestamps, generator and idleness. */
class SplitOutput<T> implements SourceOutput<T> {
  /** A closure over the output and the emitter, so it can stand as a reader output's `collect` by itself. */
  readonly collect: (value: T, timestamp?: number) => void;

  constructor(
    out: Output,
    readonly emitter: WatermarkEmitter<T>,
  ) {
    this.collect = (value, timestamp = NO_TIMESTAMP) => {
      const ts = emitter.timestampOf(value, timestamp);
      out.collect(value, ts);
      emitter.onEvent(value, ts);
    };
  }
}

/**
 * The ReaderOutput a SourceOperator gives its reader. Without a WatermarkStrategy every split
 * output is one direct output, which forwards records as they are. With one, each split gets a
 * {@link SplitOutput} (made once, kept until released) whose WatermarkEmitter feeds a
 * {@link WatermarkOutputMultiplexer}: the subtask's watermark is the minimum over its active splits.
 * A subtask without any split holds the watermark back, as in Flink, unless the strategy has an
 * idleness timeout: then it is idle once it has been without splits that long.
 */
export class SourceReaderOutput<T> implements ReaderOutput<T> {
  private readonly splits = new Map<string, SplitOutput<T>>();
  private readonly multiplexer: WatermarkOutputMultiplexer | undefined;
  /** Since when the subtask has had no split output (with an idleness timeout only). */
  private withoutSplitsSince: number | undefined;
  private closed = false;
  /**
   * Records without a split: without a strategy, straight to the output; with one, the first call
   * makes the main split output and puts its `collect` here, so each later record is one direct call.
   */
  collect: (value: T, timestamp?: number) => void;
  /** Without a strategy, every split's output: records go straight to the operator's output. */
  private readonly direct: SourceOutput<T>;

  constructor(
    private readonly out: Output,
    private readonly strategy: WatermarkStrategy<T> | undefined,
    private readonly time: ProcessingTimeService,
    private readonly watermarkInterval: number,
  ) {
    this.multiplexer = strategy === undefined ? undefined : new WatermarkOutputMultiplexer(out);
    this.direct = { collect: (value, timestamp = NO_TIMESTAMP) => out.collect(value, timestamp) };
    this.collect =
      this.multiplexer === undefined
        ? this.direct.collect
        : (value, timestamp) => {
            this.collect = this.createOutputForSplit(MAIN_OUTPUT).collect;
            this.collect(value, timestamp);
          };
    if (strategy?.idleTimeout !== undefined) {
      this.withoutSplitsSince = time.now();
      this.checkIdleWithoutSplits(strategy.idleTimeout);
    }
  }

  createOutputForSplit(splitId: string): SourceOutput<T> {
    if (this.multiplexer === undefined) return this.direct;
    let output = this.splits.get(splitId);
    if (output === undefined) {
      const emitter = new WatermarkEmitter(this.strategy!, this.multiplexer.register(splitId), this.time, this.watermarkInterval);
      emitter.start();
      this.splits.set(splitId, (output = new SplitOutput(this.out, emitter)));
      this.withoutSplitsSince = undefined;
    }
    return output;
  }

  releaseOutputForSplit(splitId: string): void {
    const output = this.splits.get(splitId);
    if (output === undefined) return;
    // What the split's generator has now counts before the split stops holding the watermark back.
    output.emitter.flush();
    output.emitter.stop();
    this.splits.delete(splitId);
    this.multiplexer!.unregister(splitId);
    if (this.splits.size === 0 && this.strategy?.idleTimeout !== undefined) this.withoutSplitsSince = this.time.now();
  }

  /** End of input: every generator emits what it has (the final watermark follows). */
  flush(): void {
    for (const output of this.splits.values()) output.emitter.flush();
  }

  close(): void {
    this.closed = true;
    for (const output of this.splits.values()) output.emitter.stop();
  }

  /** Every watermark interval: without splits for the idleness timeout, the subtask is idle. */
  private checkIdleWithoutSplits(timeout: number): void {
    if (this.closed) return;
    const since = this.withoutSplitsSince;
    if (since !== undefined && this.time.now() - since >= timeout) this.multiplexer!.idleWithoutSplits();
    this.time.schedule(this.time.now() + this.watermarkInterval, () => this.checkIdleWithoutSplits(timeout));
  }
}
