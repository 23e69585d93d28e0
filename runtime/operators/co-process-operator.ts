import type { CoProcessFunction, KeyedCoProcessFunction } from '../functions/co-functions.ts';
import type { Timer } from '../state/timer-service.ts';
import { AbstractTwoInputStreamOperator } from './abstract-two-input-stream-operator.ts';
import { ProcessFunctionContext } from './process-function-context.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

type AnyCoProcessFunction<K, IN1, IN2, O> = CoProcessFunction<IN1, IN2, O> | KeyedCoProcessFunction<K, IN1, IN2, O>;

/**
 * Runs a CoProcessFunction over two connected streams, or a KeyedCoProcessFunction over two keyed
 * ones (as Flink's CoProcessOperator and KeyedCoProcessOperator): on keyed streams each record's key
 * (by its input's key selector) becomes the current key, so both inputs share the key's state and
 * timers, and timers fire once the combined watermark of both inputs passes them.
 */
export class CoProcessOperator<K, IN1, IN2, O> extends AbstractTwoInputStreamOperator {
  private collector!: TimestampedCollector<O>;
  private context!: ProcessFunctionContext<K>;

  constructor(private readonly fn: AnyCoProcessFunction<K, IN1, IN2, O>) {
    super(fn);
    for (const m of ['processElement1', 'processElement2'] as const) {
      if (typeof fn?.[m] !== 'function') throw new TypeError(`a co-process function needs a ${m}() method`);
    }
  }

  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    this.context = new ProcessFunctionContext<K>(this.collector, this.timerService(), this.output, this.keyed, this.ctx.name);
    super.open();
  }

  processElement1(value: unknown, timestamp: number): void {
    if (this.keyed) this.setKeyOf(value);
    this.collector.timestamp = timestamp;
    (this.fn as KeyedCoProcessFunction<K, IN1, IN2, O>).processElement1(value as IN1, this.context, this.collector);
  }

  processElement2(value: unknown, timestamp: number): void {
    if (this.keyed) this.setKeyOf2(value);
    this.collector.timestamp = timestamp;
    (this.fn as KeyedCoProcessFunction<K, IN1, IN2, O>).processElement2(value as IN2, this.context, this.collector);
  }

  override onEventTime(timer: Timer): void {
    this.context.fireTimer(this.fn as KeyedCoProcessFunction<K, IN1, IN2, O>, timer, 'event-time');
  }

  override onProcessingTime(timer: Timer): void {
    this.context.fireTimer(this.fn as KeyedCoProcessFunction<K, IN1, IN2, O>, timer, 'processing-time');
  }
}
