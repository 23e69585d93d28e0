import type { BroadcastState, ReadOnlyBroadcastState } from '../state/broadcast-state.ts';
import type { StateOf } from '../state/keyed-state.ts';
import type { MapStateDescriptor, StateDescriptor } from '../state/state-descriptor.ts';
import type { Collector, KeyedProcessContext, OnTimerContext, ProcessContext, RichFunction } from './functions.ts';

/**
 * Functions over a stream connected with a broadcast stream (`stream.connect(broadcastStream)`), as
 * Flink's: `processBroadcastElement` sees every broadcast record in every subtask and may write the
 * broadcast state; `processElement` sees the other stream's records and may only read it.
 */

/** Context of `processElement`: the broadcast state, read-only. */
export interface ReadOnlyBroadcastContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** Context of `processBroadcastElement`: the broadcast state to update. */
export interface BroadcastContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
  /** The broadcast record's timestamp, or NO_TIMESTAMP. */
  timestamp(): number;
}

/**
 * Context of a keyed broadcast function's `processBroadcastElement`: besides the broadcast state, the
 * keyed state of every key this subtask holds (a rule that changes may have to change what each key
 * kept).
 */
export interface KeyedBroadcastContext<K> extends BroadcastContext {
  /**
   * Calls `fn` for every key of this subtask that holds the state `descriptor` names, with that
   * key's state (as Flink's `applyToKeyedState`); `fn` may read, update or clear it. Keys without
   * that state are not visited, and the order of keys is unspecified.
   */
  applyToKeyedState<D extends { readonly kind: StateDescriptor['kind']; readonly name: string }>(descriptor: D, fn: (key: K, state: StateOf<D>) => void): void;
}

export interface BroadcastProcessFunction<IN1, IN2, OUT> extends RichFunction {
  processElement(value: IN1, ctx: ProcessContext & ReadOnlyBroadcastContext, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/** On a keyed stream: keyed state and timers of the current key beside the broadcast state. */
export interface KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> extends RichFunction {
  processElement(value: IN1, ctx: KeyedProcessContext<K> & ReadOnlyBroadcastContext, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K> & ReadOnlyBroadcastContext, out: Collector<OUT>): void;
}
