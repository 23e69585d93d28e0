import { WindowOperator } from '../operators/window-operator.ts';
import {
  aggregatingWindowFunction,
  processingWindowFunction,
  reducingWindowFunction,
  type InternalWindowFunction,
} from '../operators/window-function.ts';
import type { DataStream } from './data-stream.ts';
import { perSubtask, requireFunction, requireMethod, type AggregateFunction, type Key, type ProcessWindowFunction, type ReduceFunction } from '../functions/functions.ts';
import type { KeyedStream } from './keyed-stream.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import type { TimeWindow } from '../windowing/time-window.ts';
import type { Trigger } from '../windowing/trigger.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';

type Pwf = ProcessWindowFunction<unknown, unknown, unknown, TimeWindow>;

/** A keyed stream cut into windows; `reduce`, `aggregate` or `process` evaluates each window. */
export class WindowedStream<T, K extends Key> {
  private lateness = 0;
  private lateTag: OutputTag<unknown> | undefined;
  private customTrigger: Trigger | undefined;

  constructor(
    private readonly input: KeyedStream<T, K>,
    private readonly assigner: WindowAssigner,
  ) {}

  /** Keeps windows for `ms` after the watermark passed their end; late elements re-fire them. */
  allowedLateness(ms: number): this {
    if (!(ms >= 0)) throw new RangeError(`allowed lateness must be >= 0 ms, got ${ms}`);
    this.lateness = ms;
    return this;
  }

  /** Elements too late for every window go to this side output instead of being dropped. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag as OutputTag<unknown>;
    return this;
  }

  trigger(trigger: Trigger<T>): this {
    this.customTrigger = trigger as Trigger;
    return this;
  }

  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: ProcessWindowFunction<T, R, K, TimeWindow>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: ProcessWindowFunction<T, R, K, TimeWindow>): DataStream<T | R> {
    requireFunction('reduce', fn, 'reduce');
    if (windowFunction !== undefined) requireMethod('reduce', windowFunction, 'process');
    return this.build('Window(Reduce)', [fn, windowFunction], ([f, w]) => reducingWindowFunction(f as ReduceFunction<unknown>, w as Pwf | undefined));
  }

  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, windowFunction: ProcessWindowFunction<V, R, K, TimeWindow>): DataStream<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, windowFunction?: ProcessWindowFunction<V, R, K, TimeWindow>): DataStream<R> {
    for (const m of ['createAccumulator', 'add', 'getResult', 'merge'] as const) {
      if (typeof fn?.[m] !== 'function') throw new TypeError(`aggregate() needs an AggregateFunction with a ${m}() method`);
    }
    if (windowFunction !== undefined) requireMethod('aggregate', windowFunction, 'process');
    return this.build('Window(Aggregate)', [fn, windowFunction], ([f, w]) =>
      aggregatingWindowFunction(f as AggregateFunction<unknown, unknown, unknown>, w as Pwf | undefined),
    );
  }

  process<R>(fn: ProcessWindowFunction<T, R, K, TimeWindow>): DataStream<R> {
    requireMethod('process', fn, 'process');
    return this.build('Window(Process)', [fn], ([f]) => processingWindowFunction(f as Pwf));
  }

  /** The window operator, with its own instances of the user functions and trigger in every subtask. */
  private build<R>(name: string, userFunctions: readonly unknown[], windowFunction: (instances: readonly unknown[]) => InternalWindowFunction): DataStream<R> {
    const { assigner, customTrigger, lateness, lateTag } = this;
    const create = () => {
      const instances = userFunctions.map(perSubtask);
      return new WindowOperator(assigner, perSubtask(customTrigger), windowFunction(instances), lateness, lateTag, instances);
    };
    return this.input.stream().then<R>(name, create, this.input.anyKeySelector());
  }
}
