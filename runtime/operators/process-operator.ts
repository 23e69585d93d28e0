import type { KeyedProcessContext, KeyedProcessFunction, ProcessFunction } from '../functions/functions.ts';
import type { Timer } from '../state/timer-service.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';
import { ProcessFunctionContext } from './process-function-context.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

/**
 * Runs a ProcessFunction, or a KeyedProcessFunction on a keyed stream (then with keyed state and
 * timers). One context object is reused for every call.
 */
export class ProcessOperator<K, I, O> extends AbstractUdfStreamOperator {
  private collector!: TimestampedCollector<O>;
  private context!: ProcessFunctionContext<K>;

  constructor(private readonly fn: ProcessFunction<I, O> | KeyedProcessFunction<K, I, O>) {
    super(fn);
    if (typeof fn?.processElement !== 'function') throw new TypeError('a process function needs a processElement() method');
  }

  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    this.context = new ProcessFunctionContext<K>(this.collector, this.timerService(), this.output, this.keyed, this.ctx.name);
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
    this.context.fireTimer(this.fn as KeyedProcessFunction<K, I, O>, timer, 'event-time');
  }

  override onProcessingTime(timer: Timer): void {
    this.context.fireTimer(this.fn as KeyedProcessFunction<K, I, O>, timer, 'processing-time');
  }
}
