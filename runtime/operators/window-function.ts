import {
  functionOf,
  type AggregateFunction,
  type Collector,
  type ProcessWindowFunction,
  type ReduceFunction,
  type WindowContext,
} from '../functions/functions.ts';
import type { TimeWindow } from '../windowing/time-window.ts';

/**
 * How a window operator keeps and evaluates a window's contents: incrementally (reduce,
 * aggregate) or as the list of elements (process), optionally finished by a ProcessWindowFunction.
 */
export interface InternalWindowFunction {
  add(acc: unknown, value: unknown): unknown;
  merge(a: unknown, b: unknown): unknown;
  emit(key: unknown, acc: unknown, ctx: WindowContext<TimeWindow>, out: Collector<unknown>): void;
}

type Pwf = ProcessWindowFunction<unknown, unknown, unknown, TimeWindow>;

function finish(process: Pwf | undefined, key: unknown, result: unknown, ctx: WindowContext<TimeWindow>, out: Collector<unknown>): void {
  if (process) process.process(key, ctx, [result], out);
  else out.collect(result);
}

export function reducingWindowFunction(reduce: ReduceFunction<unknown>, process?: Pwf): InternalWindowFunction {
  const fn = functionOf(reduce as never, 'reduce') as (a: unknown, b: unknown) => unknown;
  return {
    add: (acc, v) => (acc === undefined ? v : fn(acc, v)),
    merge: (a, b) => fn(a, b),
    emit: (key, acc, ctx, out) => finish(process, key, acc, ctx, out),
  };
}

export function aggregatingWindowFunction(agg: AggregateFunction<unknown, unknown, unknown>, process?: Pwf): InternalWindowFunction {
  return {
    add: (acc, v) => agg.add(v, acc === undefined ? agg.createAccumulator() : acc),
    merge: (a, b) => agg.merge(a, b),
    emit: (key, acc, ctx, out) => finish(process, key, agg.getResult(acc), ctx, out),
  };
}

export function processingWindowFunction(process: Pwf): InternalWindowFunction {
  return {
    add: (acc, v) => {
      if (acc === undefined) return [v];
      (acc as unknown[]).push(v);
      return acc;
    },
    merge: (a, b) => (a as unknown[]).concat(b as unknown[]),
    emit: (key, acc, ctx, out) => process.process(key, ctx, acc as unknown[], out),
  };
}
