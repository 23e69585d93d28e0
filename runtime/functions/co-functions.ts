import type { Collector, KeyedProcessContext, OnTimerContext, ProcessContext, RichFunction } from './functions.ts';

/**
 * Functions over two connected streams (`DataStream.connect`), as Flink's: the `1` method is called
 * for each record of the first stream, the `2` method for each record of the second. They share the
 * function object, so they can share state (keyed state on keyed connected streams).
 */

export interface CoMapFunction<IN1, IN2, R> extends RichFunction {
  map1(value: IN1): R;
  map2(value: IN2): R;
}

export interface CoFlatMapFunction<IN1, IN2, R> extends RichFunction {
  flatMap1(value: IN1, out: Collector<R>): void;
  flatMap2(value: IN2, out: Collector<R>): void;
}

export interface CoProcessFunction<IN1, IN2, O> extends RichFunction {
  processElement1(value: IN1, ctx: ProcessContext, out: Collector<O>): void;
  processElement2(value: IN2, ctx: ProcessContext, out: Collector<O>): void;
}

/** On keyed connected streams: keyed state and timers of the current key, shared by both inputs. */
export interface KeyedCoProcessFunction<K, IN1, IN2, O> extends RichFunction {
  processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}
