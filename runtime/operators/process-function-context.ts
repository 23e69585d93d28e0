import type { OnTimerContext } from '../functions/functions.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import type { HeapKeyedStateBackend } from '../state/heap-keyed-state-backend.ts';
import type { Collector } from '../functions/functions.ts';
import type { TimeDomain, Timer, TimerService } from '../state/timer-service.ts';
import type { Output } from './output.ts';
import type { TimestampedCollector } from './timestamped-collector.ts';

/**
 * The context a process function is called with (ProcessFunction, KeyedProcessFunction and their
 * two-input forms): the timestamp of the record or timer being processed, timers, side outputs and
 * the current key. One instance per operator, reused for every call; the operator sets `domain`
 * before firing a timer.
 */
export class ProcessFunctionContext<K> implements OnTimerContext<K> {
  domain: TimeDomain = 'event-time';

  constructor(
    private readonly collector: TimestampedCollector<unknown>,
    private readonly timers: TimerService,
    private readonly out: Output,
    private readonly keyed: HeapKeyedStateBackend | undefined,
    private readonly operatorName: string,
  ) {}

  timestamp(): number {
    return this.collector.timestamp;
  }

  timerService(): TimerService {
    return this.timers;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag as OutputTag<unknown>, value, this.collector.timestamp);
  }

  getCurrentKey(): K {
    if (!this.keyed) throw new Error(`getCurrentKey() needs a keyed stream in operator "${this.operatorName}"`);
    return this.keyed.getCurrentKey() as K;
  }

  timeDomain(): TimeDomain {
    return this.domain;
  }

  /** Fires `timer` of `domain` at the function's `onTimer`, if it has one, with this context. */
  fireTimer(fn: { onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<never>): void }, timer: Timer, domain: TimeDomain): void {
    const onTimer = fn.onTimer;
    if (!onTimer) return;
    this.domain = domain;
    this.collector.timestamp = timer.timestamp;
    onTimer.call(fn, timer.timestamp, this, this.collector);
  }
}
