import type { RecordBatch } from '../network/stream-element.ts';

/**
 * Hands what arrives on a task's input channels to its head operator: records batch by batch, and
 * each channel's watermarks, idleness and end. It knows which logical input each channel feeds and
 * combines time per input (the minimum over that input's channels); barriers are not its business.
 * `StreamOneInputProcessor` and `StreamTwoInputProcessor` are the two shapes, as in Flink.
 */
export interface StreamInputProcessor {
  /** Records of one batch that arrived on `channel`, in order, each by a direct call. */
  processBatch(batch: RecordBatch, channel: number): void;
  processWatermark(channel: number, timestamp: number): void;
  processIdle(channel: number, idle: boolean): void;
  /** `channel` ended; true once every channel has (the task's whole input ended). */
  endChannel(channel: number): boolean;
}
