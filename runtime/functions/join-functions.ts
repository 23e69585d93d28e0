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
