import type { KeyedProcessContext, KeyedProcessFunction, OnTimerContext, ProcessFunction } from '../functions/functions.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import type { Timer, TimerService } from '../state/timer-service.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/**
 * Runs a ProcessFunction, or a KeyedProcessFunction on a keyed stream (then with keyed state and
 * timers). One context object is reused for every call.
 */
export class ProcessOperator<K, I, O> extends AbstractUdfStreamOperator {
  private collector!: TimestampedCollector<O>;
  private context!: OnTimerContext<K>;
  private domain: 'event-time' | 'processing-time' = 'event-time';

  constructor(private readonly fn: ProcessFunction<I, O> | KeyedProcessFunction<K, I, O>) {
    super(fn);
    if (typeof fn?.processElement !== 'function') throw new TypeError('a process function needs a processElement() method');
  }

  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    const op = this;
    const timerService: TimerService = this.timerService();
    this.context = {
      timestamp: () => op.collector.timestamp,
      timerService: () => timerService,
      output: <X>(tag: OutputTag<X>, value: X) => op.output.collectSide(tag as OutputTag<unknown>, value, op.collector.timestamp),
      getCurrentKey: () => {
        if (!op.keyed) throw new Error(`getCurrentKey() needs a keyed stream in operator "${op.ctx.name}"`);
        return op.keyed.getCurrentKey() as K;
      },
      timeDomain: () => op.domain,
    };
    super.open();
  }

  processElement(value: unknown, timestamp: number): void {
    if (this.keyed) this.setKeyOf(value);
    this.collector.timestamp = timestamp;
    (this.fn.processElement as (v: I, c: KeyedProcessContext<K>, o: TimestampedCollector<O>) => void).call(
      this.fn,
      value as I,
      this.context,
      this.collector,
    );
  }

  override onEventTime(timer: Timer): void {
    this.fireTimer(timer, 'event-time');
  }

  override onProcessingTime(timer: Timer): void {
    this.fireTimer(timer, 'processing-time');
  }

  private fireTimer(timer: Timer, domain: 'event-time' | 'processing-time'): void {
    const onTimer = (this.fn as KeyedProcessFunction<K, I, O>).onTimer;
    if (!onTimer) return;
    this.domain = domain;
    this.collector.timestamp = timer.timestamp;
    onTimer.call(this.fn, timer.timestamp, this.context, this.collector);
  }
}
