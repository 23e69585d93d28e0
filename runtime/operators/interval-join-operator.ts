import type { ProcessJoinContext, ProcessJoinFunction } from '../functions/join-functions.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import { NO_TIMESTAMP } from '../core/timestamps.ts';
import type { MapState } from '../state/keyed-state.ts';
import { MapStateDescriptor } from '../state/state-descriptor.ts';
import type { Timer } from '../state/timer-service.ts';
import { AbstractTwoInputStreamOperator } from './abstract-two-input-stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

const CLEANUP_LEFT = 'interval-join-cleanup-left';
const CLEANUP_RIGHT = 'interval-join-cleanup-right';

/** Records of one side by timestamp, per key: a bucket per timestamp. */
type Buffer = MapState<number, unknown[]>;

/**
 * The interval join of two keyed streams, as Flink's IntervalJoinOperator: a left record at time
 * t joins every right record of the same key at a time in [t + lowerBound, t + upperBound] (both
 * inclusive here: exclusive bounds arrive already moved by one millisecond), each pair once, with
 * the later of the two timestamps. Both sides wait in keyed state, bucketed by timestamp; a record
 * is removed by an event-time timer once the watermark has passed the last time a record of the
 * other side could still join it. Records behind the watermark are late: they go to the side's late
 * data output when one is given (Flink's `sideOutputLeftLateData`/`sideOutputRightLateData`), with
 * their timestamps, and are dropped (counted) otherwise.
 */
export class IntervalJoinOperator<IN1, IN2, OUT> extends AbstractTwoInputStreamOperator {
  private left!: Buffer;
  private right!: Buffer;
  private collector!: TimestampedCollector<OUT>;
  private context!: ProcessJoinContext;
  private leftTimestamp = 0;
  private rightTimestamp = 0;
  /** Records dropped because they were behind the watermark (and their side has no late data output). */
  droppedLateRecords = 0;

  constructor(
    private readonly lowerBound: number,
    private readonly upperBound: number,
    private readonly fn: ProcessJoinFunction<IN1, IN2, OUT>,
    private readonly lateData: { readonly left?: OutputTag<IN1> | undefined; readonly right?: OutputTag<IN2> | undefined } = {},
  ) {
    super(fn);
    if (lowerBound > upperBound) throw new RangeError(`interval join: the lower bound (${lowerBound}) must not be above the upper bound (${upperBound})`);
  }

  override open(): void {
    if (!this.keyed) throw new Error(`interval join "${this.ctx.name}" needs two keyed streams`);
    this.left = this.keyed.getState(new MapStateDescriptor<number, unknown[]>('interval-join-left')) as Buffer;
    this.right = this.keyed.getState(new MapStateDescriptor<number, unknown[]>('interval-join-right')) as Buffer;
    this.collector = new TimestampedCollector(this.output);
    const op = this;
    this.context = {
      getLeftTimestamp: () => op.leftTimestamp,
      getRightTimestamp: () => op.rightTimestamp,
      getTimestamp: () => op.collector.timestamp,
      output: (tag, value) => op.output.collectSide(tag as OutputTag<unknown>, value, op.collector.timestamp),
    };
    super.open();
  }

  processElement1(value: unknown, timestamp: number): void {
    this.setKeyOf(value);
    this.join(value, timestamp, this.left, this.right, this.lowerBound, this.upperBound, true);
  }

  processElement2(value: unknown, timestamp: number): void {
    this.setKeyOf2(value);
    this.join(value, timestamp, this.right, this.left, -this.upperBound, -this.lowerBound, false);
  }

  private join(value: unknown, ts: number, ours: Buffer, theirs: Buffer, lower: number, upper: number, isLeft: boolean): void {
    if (ts === NO_TIMESTAMP) {
      throw new Error(`interval join "${this.ctx.name}" needs records with timestamps: assign timestamps and watermarks to both streams`);
    }
    if (ts < this.currentWatermark) {
      const tag = isLeft ? this.lateData.left : this.lateData.right;
      if (tag) this.output.collectSide(tag as OutputTag<unknown>, value, ts);
      else this.droppedLateRecords++;
      return;
    }
    const bucket = ours.get(ts);
    if (bucket) bucket.push(value);
    else ours.put(ts, [value]);
    if (!theirs.isEmpty()) this.joinWith(value, ts, theirs, lower, upper, isLeft);
    const cleanupAt = upper > 0 ? ts + upper : ts;
    this.timers!.register('event-time', cleanupAt, isLeft ? CLEANUP_LEFT : CLEANUP_RIGHT);
  }

  /** Every pair of `value` with a buffered record of the other side in [ts + lower, ts + upper]. */
  private joinWith(value: unknown, ts: number, theirs: Buffer, lower: number, upper: number, isLeft: boolean): void {
    for (const [theirTs, records] of theirs.entries()) {
      if (theirTs < ts + lower || theirTs > ts + upper) continue;
      for (const other of records) {
        if (isLeft) this.emit(value, other, ts, theirTs);
        else this.emit(other, value, theirTs, ts);
      }
    }
  }

  private emit(left: unknown, right: unknown, leftTs: number, rightTs: number): void {
    this.leftTimestamp = leftTs;
    this.rightTimestamp = rightTs;
    this.collector.timestamp = Math.max(leftTs, rightTs);
    this.fn.processElement(left as IN1, right as IN2, this.context, this.collector);
  }

  override onEventTime(timer: Timer): void {
    if (timer.namespace === CLEANUP_LEFT) this.left.remove(this.upperBound <= 0 ? timer.timestamp : timer.timestamp - this.upperBound);
    else if (timer.namespace === CLEANUP_RIGHT) this.right.remove(this.lowerBound <= 0 ? timer.timestamp + this.lowerBound : timer.timestamp);
  }
}
