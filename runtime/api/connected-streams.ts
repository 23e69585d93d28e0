import type { CoFlatMapFunction, CoMapFunction, CoProcessFunction, KeyedCoProcessFunction } from '../functions/co-functions.ts';
import { perSubtask, requireMethod, type Key, type KeySelector } from '../functions/functions.ts';
import type { Transformation } from '../graph/transformation.ts';
import { CoProcessOperator } from '../operators/co-process-operator.ts';
import { CoStreamFlatMap } from '../operators/co-stream-flat-map.ts';
import { CoStreamMap } from '../operators/co-stream-map.ts';
import type { TwoInputStreamOperator } from '../operators/stream-operator.ts';
import { DataStream } from './data-stream.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';

/**
 * The key selectors of keyed connected streams: records of both inputs with equal keys meet in one
 * subtask. A broadcast second input has none: its records reach every subtask, under no key.
 */
interface ConnectedKeys<IN1, IN2, K extends Key> {
  readonly first: KeySelector<IN1, K>;
  readonly second: KeySelector<IN2, K> | undefined;
}

/**
 * Two streams connected (`first.connect(second)`), possibly of different types, as Flink's
 * ConnectedStreams: a co-function sees the records of both, in one operator with two inputs, and
 * may share state between them. `keyBy(k1, k2)` (or connecting two keyed streams) partitions both
 * by key, so `process(KeyedCoProcessFunction)` has keyed state and timers shared by both inputs.
 */
export class ConnectedStreams<IN1, IN2, K extends Key = never> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly first: Transformation,
    readonly second: Transformation,
    private readonly keys?: ConnectedKeys<IN1, IN2, K>,
  ) {}

  /** Partitions both inputs by key: `k1` selects the key of the first stream's records, `k2` of the second's. */
  keyBy<K2 extends Key>(k1: KeySelector<IN1, K2>, k2: KeySelector<IN2, K2>): ConnectedStreams<IN1, IN2, K2> {
    for (const [name, k] of [['first', k1], ['second', k2]] as const) {
      if (typeof k !== 'function') throw new TypeError(`keyBy() needs a key selector function for the ${name} stream`);
    }
    const hash = (t: Transformation, keySelector: KeySelector<unknown, Key>) =>
      this.env.addTransformation('partition', 'keyBy', [t], { partitioner: { kind: 'hash', keySelector } });
    return new ConnectedStreams<IN1, IN2, K2>(
      this.env,
      hash(this.first, k1 as KeySelector<unknown, Key>),
      hash(this.second, k2 as KeySelector<unknown, Key>),
      { first: k1, second: k2 },
    );
  }

  map<R>(fn: CoMapFunction<IN1, IN2, R>): DataStream<R> {
    requireMethods('map', fn, ['map1', 'map2']);
    return this.transform<R>('Co-Map', () => new CoStreamMap(perSubtask(fn)));
  }

  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): DataStream<R> {
    requireMethods('flatMap', fn, ['flatMap1', 'flatMap2']);
    return this.transform<R>('Co-Flat Map', () => new CoStreamFlatMap(perSubtask(fn)));
  }

  /** A CoProcessFunction; on keyed connected streams a KeyedCoProcessFunction with keyed state and timers. */
  process<R>(fn: [K] extends [never] ? CoProcessFunction<IN1, IN2, R> : KeyedCoProcessFunction<K, IN1, IN2, R>): DataStream<R> {
    requireMethods('process', fn, ['processElement1', 'processElement2']);
    return this.transform<R>(this.keys ? 'Keyed Co-Process' : 'Co-Process', () => new CoProcessOperator(perSubtask(fn)));
  }

  /**
   * @internal Adds a two-input operator over both streams (keyed when they are). Joins and broadcast
   * state build on this.
   */
  transform<R>(name: string, createOperator: () => TwoInputStreamOperator): DataStream<R> {
    const t = this.env.addTransformation('two-input', name, [this.first, this.second], {
      createOperator,
      keySelector: this.keys?.first as KeySelector<unknown, Key> | undefined,
      keySelector2: this.keys?.second as KeySelector<unknown, Key> | undefined,
    });
    return new DataStream<R>(this.env, t);
  }
}

function requireMethods(api: string, fn: unknown, methods: readonly string[]): void {
  for (const m of methods) requireMethod(api, fn, m);
}
