import type { WatermarkSink } from './watermark-emitter.ts';

interface SplitWatermark extends WatermarkSink {
  watermark: number;
  idle: boolean;
}

/**
 * Combines the watermarks of a source subtask's splits into the subtask's own (Flink's
 * WatermarkOutputMultiplexer): the minimum over the splits that are not idle, emitted when it
 * advances. Once every split is idle, the subtask is idle (and when it has no split, if its owner
 * says so: `idleWithoutSplits`); a split registered or becoming active makes it active again. Updates come with watermarks and idleness changes, never per record.
 */
export class WatermarkOutputMultiplexer {
  private readonly splits = new Map<string, SplitWatermark>();
  private combined = Number.NEGATIVE_INFINITY;
  private idle = false;

  constructor(private readonly output: WatermarkSink) {}

  get size(): number {
    return this.splits.size;
  }

  /** The sink of split `splitId`'s watermark generator; it holds the watermark back from now on. */
  register(splitId: string): WatermarkSink {
    if (this.splits.has(splitId)) throw new Error(`split "${splitId}" already has a watermark output`);
    const split: SplitWatermark = {
      watermark: Number.NEGATIVE_INFINITY,
      idle: false,
      emitWatermark: (timestamp) => {
        split.watermark = timestamp;
        this.update();
      },
      emitIdle: (idle) => {
        split.idle = idle;
        this.update();
      },
    };
    this.splits.set(splitId, split);
    this.update();
    return split;
  }

  /** The split is finished: it no longer counts. */
  unregister(splitId: string): void {
    if (this.splits.delete(splitId)) this.update();
  }

  /** The subtask waits for splits and has none: it holds no watermark back meanwhile. */
  idleWithoutSplits(): void {
    if (this.splits.size === 0) this.setIdle(true);
  }

  private update(): void {
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const s of this.splits.values()) {
      if (s.idle) continue;
      active++;
      if (s.watermark < min) min = s.watermark;
    }
    if (active === 0) {
      // Without splits at all the subtask holds back (a split may be on its way) until its owner says it is idle.
      if (this.splits.size > 0) this.setIdle(true);
      return;
    }
    this.setIdle(false);
    if (min > this.combined) {
      this.combined = min;
      this.output.emitWatermark(min);
    }
  }

  private setIdle(idle: boolean): void {
    if (this.idle === idle) return;
    this.idle = idle;
    this.output.emitIdle(idle);
  }
}
