import type { Sink } from '../connectors/sink.ts';
import { PrintSink } from '../connectors/print-sink.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';
import { FilterOperator } from '../operators/filter-operator.ts';
import { FlatMapOperator } from '../operators/flat-map-operator.ts';
import { MapOperator } from '../operators/map-operator.ts';
import { ProcessOperator } from '../operators/process-operator.ts';
import { SinkOperator } from '../operators/sink-operator.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { TimestampsAndWatermarksOperator } from '../operators/timestamps-and-watermarks-operator.ts';
import { perSubtask, requireFunction, requireMethod, type FilterFunction, type FlatMapFunction, type Key, type KeySelector, type MapFunction, type ProcessFunction } from '../functions/functions.ts';
import { KeyedStream } from './keyed-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import { BroadcastStream } from './broadcast-stream.ts';
import { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
import type { MapStateDescriptor } from '../state/state-descriptor.ts';
import { CoGroupedStreams } from './co-grouped-streams.ts';
import { JoinedStreams } from './joined-streams.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';
import { isPhysical, type PartitionerSpec, type Transformation } from '../graph/transformation.ts';
import type { WatermarkStrategy } from '../functions/watermark-strategy.ts';

/** A stream of records of type T, as in Flink. Methods that configure an operator apply to the last one added. */
export class DataStream<T> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
  ) {}

  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    requireFunction('map', fn, 'map');
    return this.then('Map', () => new MapOperator(perSubtask(fn)));
  }

  filter(fn: FilterFunction<T>): DataStream<T> {
    requireFunction('filter', fn, 'filter');
    return this.then('Filter', () => new FilterOperator(perSubtask(fn)));
  }

  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    requireFunction('flatMap', fn, 'flatMap');
    return this.then('Flat Map', () => new FlatMapOperator(perSubtask(fn)));
  }

  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    requireMethod('process', fn, 'processElement');
    return this.then('Process', () => new ProcessOperator(perSubtask(fn)));
  }

  /** Partitions by key: each key's records go to one subtask, which keeps the key's state. */
  keyBy<K extends Key>(keySelector: KeySelector<T, K>): KeyedStream<T, K> {
    requireFunction('keyBy', keySelector);
    const keySelectorAny = keySelector as KeySelector<unknown, Key>;
    return new KeyedStream<T, K>(this.env, this.partition('keyBy', { kind: 'hash', keySelector: keySelectorAny }), keySelector);
  }

  /** Records spread round-robin over the next operator's subtasks. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.env, this.partition('rebalance', { kind: 'rebalance' }));
  }

  /**
   * Every record goes to every subtask of the next operator. With descriptors: a BroadcastStream
   * whose operator keeps these broadcast states (connect a stream to it).
   */
  broadcast(): DataStream<T>;
  broadcast(...descriptors: [MapStateDescriptor<any, any>, ...MapStateDescriptor<any, any>[]]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): DataStream<T> | BroadcastStream<T> {
    const t = this.partition('broadcast', { kind: 'broadcast' });
    if (descriptors.length === 0) return new DataStream<T>(this.env, t);
    return new BroadcastStream<T>(this.env, t, descriptors);
  }

  /** Records stay in the same subtask (requires equal parallelism). */
  forward(): DataStream<T> {
    return new DataStream<T>(this.env, this.partition('forward', { kind: 'forward' }));
  }

  /**
   * Connects this stream with another, maybe of another type, for co-functions that see both (two
   * inputs, one operator); with a BroadcastStream, for a BroadcastProcessFunction.
   */
  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2>;
  connect<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2>;
  connect<T2>(other: DataStream<T2> | BroadcastStream<T2>): ConnectedStreams<T, T2> | BroadcastConnectedStream<T, T2> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, T2>(this.transformation, other);
    return new ConnectedStreams<T, T2>(this.env, this.transformation, other.transformation);
  }

  /** A window join with another stream: `.where(k1).equalTo(k2).window(assigner).apply(JoinFunction)`. */
  join<T2>(other: DataStream<T2>): JoinedStreams<T, T2> {
    return new JoinedStreams<T, T2>(this, other);
  }

  /** A windowed coGroup with another stream: `.where(k1).equalTo(k2).window(assigner).apply(CoGroupFunction)`. */
  coGroup<T2>(other: DataStream<T2>): CoGroupedStreams<T, T2> {
    return new CoGroupedStreams<T, T2>(this, other);
  }

  union(...others: DataStream<T>[]): DataStream<T> {
    const t = this.env.addTransformation('union', 'Union', [this.transformation, ...others.map((o) => o.transformation)], {});
    return new DataStream<T>(this.env, t);
  }

  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.env.addTransformation('side-output', `SideOutput(${tag.id})`, [this.transformation], {
      sideOutputTag: tag as OutputTag<unknown>,
    });
    return new DataStream<X>(this.env, t);
  }

  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    const env = this.env;
    return this.then('Timestamps/Watermarks', () => new TimestampsAndWatermarksOperator(strategy, env.getAutoWatermarkInterval()));
  }

  sinkTo(sink: Sink<T>): DataStream<never> {
    return this.then('Sink', () => new SinkOperator(sink));
  }

  /** Prints every record to stdout (a sink). */
  print(prefix = ''): DataStream<never> {
    return this.sinkTo(new PrintSink<T>(prefix)).name('Print to Std. Out');
  }

  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
    this.physical('setParallelism').parallelism = parallelism;
    return this;
  }

  name(name: string): this {
    this.transformation.name = name;
    return this;
  }

  /** A stable id for the operator's state; keep it when changing the job, so state maps back. */
  uid(uid: string): this {
    if (!uid) throw new TypeError('uid must be a non-empty string');
    this.physical('uid').uid = uid;
    return this;
  }

  /** The operator runs in a task of its own, neither chained to its input nor to its output. */
  disableChaining(): this {
    this.physical('disableChaining').chaining = 'never';
    return this;
  }

  /** The serializer of this stream's records when they cross processes (default: msgpackr). */
  setSerializer(serializer: TypeSerializer<T>): this {
    const t = this.transformation;
    (t.kind === 'side-output' ? t : this.physical('setSerializer')).serializer = serializer as TypeSerializer;
    return this;
  }

  /** @internal Adds an operator consuming this stream; `keySelector` makes it a keyed operator. */
  then<R>(name: string, createOperator: () => StreamOperator, keySelector?: KeySelector<unknown, Key>): DataStream<R> {
    const t = this.env.addTransformation('operator', name, [this.transformation], { createOperator, keySelector });
    return new DataStream<R>(this.env, t);
  }

  private partition(name: string, partitioner: PartitionerSpec): Transformation {
    return this.env.addTransformation('partition', name, [this.transformation], { partitioner });
  }

  private physical(what: string): Transformation {
    const t = this.transformation;
    if (!isPhysical(t)) {
      throw new Error(`${what}() applies to an operator, not to "${t.name}"; call it right after the operator`);
    }
    return t;
  }
}
