import type { BroadcastProcessFunction, KeyedBroadcastContext, KeyedBroadcastProcessFunction, ReadOnlyBroadcastContext } from '../functions/broadcast-functions.ts';
import type { MapStateDescriptor, StateDescriptor } from '../state/state-descriptor.ts';
import type { BroadcastState } from '../state/broadcast-state.ts';
import type { Timer } from '../state/timer-service.ts';
import { AbstractTwoInputStreamOperator } from './abstract-two-input-stream-operator.ts';
import { ProcessFunctionContext } from './process-function-context.ts';
import { TimestampedCollector } from './timestamped-collector.ts';

type AnyBroadcastFunction<K, IN1, IN2, O> = BroadcastProcessFunction<IN1, IN2, O> | KeyedBroadcastProcessFunction<K, IN1, IN2, O>;

/**
 * Runs a (Keyed)BroadcastProcessFunction, as Flink's CoBroadcastWith(Non)KeyedOperator: input 1 is
 * the (keyed) stream, input 2 the broadcast stream, whose every record reaches every subtask. Only
 * the broadcast states named by the BroadcastStream's descriptors exist; the broadcast side may
 * write them, the other side reads them (a write there would make the subtasks' copies differ).
 */
export class CoBroadcastOperator<K, IN1, IN2, O> extends AbstractTwoInputStreamOperator {
  private collector!: TimestampedCollector<O>;
  private context!: ProcessFunctionContext<K> & ReadOnlyBroadcastContext;
  private broadcastContext!: KeyedBroadcastContext<K>;
  private readonly names: ReadonlySet<string>;

  constructor(
    private readonly fn: AnyBroadcastFunction<K, IN1, IN2, O>,
    descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {
    super(fn);
    this.names = new Set(descriptors.map((d) => d.name));
    for (const m of ['processElement', 'processBroadcastElement'] as const) {
      if (typeof fn?.[m] !== 'function') throw new TypeError(`a broadcast process function needs a ${m}() method`);
    }
  }

  override open(): void {
    this.collector = new TimestampedCollector(this.output);
    const op = this;
    const readOnly = <KK, V>(descriptor: MapStateDescriptor<KK, V>) => {
      const s = op.broadcastState(descriptor);
      return { get: s.get, contains: s.contains, entries: s.entries, keys: s.keys, values: s.values, isEmpty: s.isEmpty };
    };
    this.context = Object.assign(new ProcessFunctionContext<K>(this.collector, this.timerService(), this.output, this.keyed, this.ctx.name), {
      getBroadcastState: readOnly,
    });
    this.broadcastContext = {
      getBroadcastState: (descriptor) => op.broadcastState(descriptor),
      timestamp: () => op.collector.timestamp,
      applyToKeyedState: (descriptor, fn) => {
        if (!op.keyed) throw new Error(`applyToKeyedState() needs a keyed stream connected to the broadcast stream in operator "${op.ctx.name}"`);
        op.keyed.applyToAllKeys(descriptor as StateDescriptor, fn as (key: unknown, state: unknown) => void);
      },
    };
    super.open();
  }

  processElement1(value: unknown, timestamp: number): void {
    if (this.keyed) this.setKeyOf(value);
    this.collector.timestamp = timestamp;
    (this.fn as KeyedBroadcastProcessFunction<K, IN1, IN2, O>).processElement(value as IN1, this.context, this.collector);
  }

  processElement2(value: unknown, timestamp: number): void {
    this.collector.timestamp = timestamp;
    this.fn.processBroadcastElement(value as IN2, this.broadcastContext, this.collector);
  }

  override onEventTime(timer: Timer): void {
    this.context.fireTimer(this.fn as KeyedBroadcastProcessFunction<K, IN1, IN2, O>, timer, 'event-time');
  }

  override onProcessingTime(timer: Timer): void {
    this.context.fireTimer(this.fn as KeyedBroadcastProcessFunction<K, IN1, IN2, O>, timer, 'processing-time');
  }

  private broadcastState<KK, V>(descriptor: MapStateDescriptor<KK, V>): BroadcastState<KK, V> {
    if (!this.names.has(descriptor.name)) {
      throw new Error(`broadcast state "${descriptor.name}" was not declared: pass its descriptor to broadcast(...) in operator "${this.ctx.name}"`);
    }
    return this.operatorState.getBroadcastState<KK, V>(descriptor.name);
  }
}
