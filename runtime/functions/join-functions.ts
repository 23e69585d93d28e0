import type { Collector, RichFunction } from './functions.ts';
import type { OutputTag } from './output-tag.ts';

/** Functions that join the records of two streams, as Flink's. */

/** Context of one joined pair of an interval join. */
export interface ProcessJoinContext {
  /** Timestamp of the left (first stream's) record. */
  getLeftTimestamp(): number;
  /** Timestamp of the right (second stream's) record. */
  getRightTimestamp(): number;
  /** Timestamp of the joined result: the larger of the two. */
  getTimestamp(): number;
  /** Emits a record to the side output identified by `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Called once per pair of an interval join: `left` from the first stream, `right` from the second. */
export interface ProcessJoinFunction<IN1, IN2, OUT> extends RichFunction {
  processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<OUT>): void;
}

/** Joins one pair of a window join: a record of the first stream and one of the second with the same key in one window. */
export type JoinFunction<IN1, IN2, OUT> = ((first: IN1, second: IN2) => OUT) | (RichFunction & { join(first: IN1, second: IN2): OUT });

/**
 * Called once per key and window of a coGroup with all records of that key in that window, from
 * each stream (one of the lists may be empty).
 */
export type CoGroupFunction<IN1, IN2, OUT> =
  | ((first: readonly IN1[], second: readonly IN2[], out: Collector<OUT>) => void)
  | (RichFunction & { coGroup(first: readonly IN1[], second: readonly IN2[], out: Collector<OUT>): void });
