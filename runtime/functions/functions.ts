import type { RuntimeContext } from './runtime-context.ts';
import type { OutputTag } from './output-tag.ts';
import type { TimerService } from '../state/timer-service.ts';

/**
 * User functions, in a Flink user's vocabulary. Each may be a plain function or an object with
 * the method plus `open`/`close` (a "rich" function that gets a runtime context).
 */

/** Lifecycle hooks of a rich function. `open` runs before the first record, `close` after the last. */
export interface RichFunction {
  open?(context: RuntimeContext): void;
  close?(): void;
}

/** Receives the records a function emits. */
export interface Collector<T> {
  collect(value: T): void;
}

export type MapFunction<T, R> = ((value: T) => R) | (RichFunction & { map(value: T): R });
export type FilterFunction<T> = ((value: T) => boolean) | (RichFunction & { filter(value: T): boolean });
export type FlatMapFunction<T, R> =
  | ((value: T, out: Collector<R>) => void)
  | (RichFunction & { flatMap(value: T, out: Collector<R>): void });
export type ReduceFunction<T> = ((a: T, b: T) => T) | (RichFunction & { reduce(a: T, b: T): T });

/** Keys must be primitives: state and partitioning compare keys by value. */
export type { Key, KeySelector } from '../core/key.ts';

/** Incremental aggregation with an accumulator (Flink's AggregateFunction). */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** Context of a ProcessFunction call: the record's timestamp, timers and side outputs. */
export interface ProcessContext {
  /** The current record's timestamp, or NO_TIMESTAMP. */
  timestamp(): number;
  timerService(): TimerService;
  /** Emits a record to the side output identified by `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

export interface OnTimerContext<K> extends KeyedProcessContext<K> {
  timeDomain(): 'event-time' | 'processing-time';
}

export interface ProcessFunction<I, O> extends RichFunction {
  processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
}

export interface KeyedProcessFunction<K, I, O> extends RichFunction {
  processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

/** Context of one window evaluation. */
export interface WindowContext<W> {
  window(): W;
  currentWatermark(): number;
  currentProcessingTime(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface ProcessWindowFunction<IN, OUT, K, W> extends RichFunction {
  process(key: K, context: WindowContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
}

/** Plain function form of a possibly rich function. */
export function functionOf<F extends (...args: never[]) => unknown>(
  fn: F | (RichFunction & Record<string, unknown>),
  method: string,
): F {
  if (typeof fn === 'function') return fn;
  const m = fn[method];
  if (typeof m !== 'function') throw new TypeError(`expected a function or an object with a ${method}() method`);
  return m.bind(fn) as F;
}

/** Checks at pipeline-building time that `fn` is a function or has the method `method`. */
export function requireFunction(api: string, fn: unknown, method?: string): void {
  if (typeof fn === 'function') return;
  if (method !== undefined && typeof fn === 'object' && fn !== null && typeof (fn as Record<string, unknown>)[method] === 'function') return;
  const got = fn === null ? 'null' : Array.isArray(fn) ? 'an array' : typeof fn;
  throw new TypeError(`${api}() needs a function${method === undefined ? '' : ` or an object with a ${method}() method`}, got ${got}`);
}

/** Checks at pipeline-building time that `fn` is an object with the method `method` (process functions). */
export function requireMethod(api: string, fn: unknown, method: string): void {
  if (typeof fn === 'object' && fn !== null && typeof (fn as Record<string, unknown>)[method] === 'function') return;
  throw new TypeError(`${api}() needs an object with a ${method}() method, got ${fn === null ? 'null' : typeof fn}`);
}

/**
 * The instance of a user function for one subtask. Flink deserializes a copy per subtask; here an
 * object function is given to each subtask as a new object inheriting from it, so fields a rich
 * function sets in open() (state handles, counters) belong to its subtask. Plain functions and
 * variables captured by closures are shared by the subtasks of one process.
 */
export function perSubtask<F>(fn: F): F {
  return typeof fn === 'object' && fn !== null ? (Object.create(fn) as F) : fn;
}

/** The rich part of a user function, if it has one. */
export function richOf(fn: unknown): RichFunction | undefined {
  return typeof fn === 'object' && fn !== null ? (fn as RichFunction) : undefined;
}
