import { perSubtask, requireMethod, type Key } from '../functions/functions.ts';
import type { ProcessJoinFunction } from '../functions/join-functions.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import { IntervalJoinOperator } from '../operators/interval-join-operator.ts';
import type { DataStream } from './data-stream.ts';
import type { KeyedStream } from './keyed-stream.ts';

/**
 * `keyedA.intervalJoin(keyedB)`, as Flink's: a record of A at time t joins every record of B with
 * the same key at a time in [t + lower, t + upper]; `between` gives the bounds in milliseconds.
 * Both streams need event-time timestamps.
 */
export class IntervalJoin<T1, T2, K extends Key> {
  constructor(
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
  ) {}

  between(lowerMs: number, upperMs: number): IntervalJoined<T1, T2, K> {
    for (const [name, v] of [['lower', lowerMs], ['upper', upperMs]] as const) {
      if (!Number.isInteger(v)) throw new RangeError(`between() needs whole milliseconds, got ${v} as the ${name} bound`);
    }
    if (lowerMs > upperMs) throw new RangeError(`between(${lowerMs}, ${upperMs}): the lower bound must not be above the upper bound`);
    return new IntervalJoined(this.left, this.right, lowerMs, upperMs);
  }
}

/**
 * An interval join with its bounds (inclusive unless made exclusive); `process` gives the join
 * function. Records that arrive behind the watermark are dropped, or go to the side output of their
 * side's `sideOutputLeftLateData`/`sideOutputRightLateData` tag (read it with `getSideOutput(tag)` on
 * the joined stream).
 */
export class IntervalJoined<T1, T2, K extends Key> {
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLateTag: OutputTag<T1> | undefined;
  private rightLateTag: OutputTag<T2> | undefined;

  constructor(
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
    private readonly lowerMs: number,
    private readonly upperMs: number,
  ) {}

  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }

  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }

  /** Late records of the left (first) stream go to this side output instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this {
    this.leftLateTag = tag;
    return this;
  }

  /** Late records of the right (second) stream go to this side output instead of being dropped. */
  sideOutputRightLateData(tag: OutputTag<T2>): this {
    this.rightLateTag = tag;
    return this;
  }

  process<R>(fn: ProcessJoinFunction<T1, T2, R>): DataStream<R> {
    requireMethod('process', fn, 'processElement');
    // Exclusive bounds are inclusive bounds one millisecond inwards, as in Flink.
    const lower = this.lowerInclusive ? this.lowerMs : this.lowerMs + 1;
    const upper = this.upperInclusive ? this.upperMs : this.upperMs - 1;
    if (lower > upper) throw new RangeError(`the interval join's bounds leave no time: [${lower}, ${upper}] after making them exclusive`);
    const lateData = { left: this.leftLateTag, right: this.rightLateTag };
    return this.left.connect(this.right).transform<R>('Interval Join', () => new IntervalJoinOperator(lower, upper, perSubtask(fn), lateData));
  }
}
