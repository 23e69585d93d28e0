import type { Sink } from '../connectors/sink.ts';
import { KeyedReduceOperator } from '../operators/keyed-reduce-operator.ts';
import { ProcessOperator } from '../operators/process-operator.ts';
import { DataStream } from './data-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
import { IntervalJoin } from './interval-join.ts';
import { fieldAggregation, type AggregationKind } from './field-aggregation.ts';
import {
  perSubtask,
  requireFunction,
  requireMethod,
  type FilterFunction,
  type FlatMapFunction,
  type Key,
  type KeyedProcessFunction,
  type KeySelector,
  type MapFunction,
  type ReduceFunction,
} from '../functions/functions.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';
import type { Transformation } from '../graph/transformation.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';
import { WindowedStream } from './windowed-stream.ts';

/**
 * A stream partitioned by key (from keyBy). Operators on it are keyed: they have keyed state and
 * timers scoped to the key of the current record.
 */
export class KeyedStream<T, K extends Key> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
    readonly keySelector: KeySelector<T, K>,
  ) {}

  /** Rolling reduce per key: emits the updated value for every record. */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    requireFunction('reduce', fn, 'reduce');
    return this.keyed('Keyed Reduce', fn);
  }

  /** Rolling sum of a field (a number stream when no field is given), per key. */
  sum(field?: keyof T & (string | number)): DataStream<T> {
    return this.aggregate('sum', field);
  }

  min(field?: keyof T & (string | number)): DataStream<T> {
    return this.aggregate('min', field);
  }

  max(field?: keyof T & (string | number)): DataStream<T> {
    return this.aggregate('max', field);
  }

  process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    requireMethod('process', fn, 'processElement');
    return this.stream().then<R>('Keyed Process', () => new ProcessOperator(perSubtask(fn)), this.anyKeySelector());
  }

  /**
   * Connects with another keyed stream of the same key type: records of both with equal keys meet in
   * one subtask, for `process(KeyedCoProcessFunction)` with state and timers shared by both inputs.
   * With a BroadcastStream: `process(KeyedBroadcastProcessFunction)`.
   */
  connect<T2>(other: KeyedStream<T2, K>): ConnectedStreams<T, T2, K>;
  connect<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2, K>;
  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2>;
  connect<T2>(
    other: KeyedStream<T2, K> | BroadcastStream<T2> | DataStream<T2>,
  ): ConnectedStreams<T, T2, K> | BroadcastConnectedStream<T, T2, K> | ConnectedStreams<T, T2> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, T2, K>(this.transformation, other, this.keySelector);
    if (other instanceof KeyedStream) {
      return new ConnectedStreams<T, T2, K>(this.env, this.transformation, other.transformation, { first: this.keySelector, second: other.keySelector });
    }
    return this.stream().connect(other);
  }

  /** Joins with another keyed stream by key and time: `.between(lowerMs, upperMs).process(ProcessJoinFunction)`. */
  intervalJoin<T2>(other: KeyedStream<T2, K>): IntervalJoin<T, T2, K> {
    return new IntervalJoin<T, T2, K>(this, other);
  }

  window(assigner: WindowAssigner<T>): WindowedStream<T, K> {
    return new WindowedStream<T, K>(this, assigner as WindowAssigner);
  }

  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.stream().map(fn);
  }

  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.stream().filter(fn);
  }

  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.stream().flatMap(fn);
  }

  sinkTo(sink: Sink<T>): DataStream<never> {
    return this.stream().sinkTo(sink);
  }

  print(prefix = ''): DataStream<never> {
    return this.stream().print(prefix);
  }

  /** @internal The key selector as the runtime stores it. */
  anyKeySelector(): KeySelector<unknown, Key> {
    return this.keySelector as KeySelector<unknown, Key>;
  }

  /** @internal This stream as a plain DataStream (the keyBy edge stays). */
  stream(): DataStream<T> {
    return new DataStream<T>(this.env, this.transformation);
  }

  private aggregate(kind: AggregationKind, field: (keyof T & (string | number)) | undefined): DataStream<T> {
    const name = field === undefined ? kind : `${kind}(${String(field)})`;
    return this.keyed(`Keyed Aggregation: ${name}`, fieldAggregation<T>(kind, field));
  }

  private keyed(name: string, fn: ReduceFunction<T>): DataStream<T> {
    return this.stream().then<T>(name, () => new KeyedReduceOperator<T>(perSubtask(fn)), this.anyKeySelector());
  }
}
