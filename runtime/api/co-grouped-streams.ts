import { requireFunction, type Collector, type Key, type KeySelector, type ProcessWindowFunction } from '../functions/functions.ts';
import { NestedFunction } from '../functions/nested-function.ts';
import type { CoGroupFunction } from '../functions/join-functions.ts';
import type { RuntimeContext } from '../functions/runtime-context.ts';
import type { TimeWindow } from '../windowing/time-window.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';
import type { DataStream } from './data-stream.ts';

/** A record of either input of a coGroup, tagged with its input: Flink's TaggedUnion. */
export type TaggedUnion<T1, T2> = readonly [1, T1] | readonly [2, T2];

/**
 * `a.coGroup(b).where(ka).equalTo(kb).window(assigner).apply(CoGroupFunction)`, as Flink's
 * CoGroupedStreams: the records of both streams are tagged with their input, united, keyed by the
 * key of their input's selector and windowed; each window calls the function with the key's records
 * of each input. Window joins (`join`) are coGroups whose function pairs the records up.
 */
export class CoGroupedStreams<T1, T2> {
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
  ) {}

  /** The key of the first stream's records. */
  where<K extends Key>(keySelector: KeySelector<T1, K>): { equalTo(keySelector: KeySelector<T2, K>): CoGroupedKeys<T1, T2, K> } {
    requireFunction('where', keySelector);
    return {
      equalTo: (second: KeySelector<T2, K>) => {
        requireFunction('equalTo', second);
        return new CoGroupedKeys(this.first, this.second, keySelector, second);
      },
    };
  }
}

/** Both keys given; `window` says how to cut the keyed records into windows. */
export class CoGroupedKeys<T1, T2, K extends Key> {
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
    private readonly key1: KeySelector<T1, K>,
    private readonly key2: KeySelector<T2, K>,
  ) {}

  window(assigner: WindowAssigner<TaggedUnion<T1, T2>>): WithWindow<T1, T2, K> {
    return new WithWindow(this.first, this.second, this.key1, this.key2, assigner);
  }
}

export class WithWindow<T1, T2, K extends Key> {
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
    private readonly key1: KeySelector<T1, K>,
    private readonly key2: KeySelector<T2, K>,
    private readonly assigner: WindowAssigner<TaggedUnion<T1, T2>>,
  ) {}

  apply<R>(fn: CoGroupFunction<T1, T2, R>): DataStream<R> {
    requireFunction('apply', fn, 'coGroup');
    const { key1, key2 } = this;
    const one = this.first.map((v: T1): TaggedUnion<T1, T2> => [1, v]).name('Map');
    const two = this.second.map((v: T2): TaggedUnion<T1, T2> => [2, v]).name('Map');
    return one
      .union(two)
      .keyBy((t): K => (t[0] === 1 ? key1(t[1]) : key2(t[1])))
      .window(this.assigner)
      .process(new CoGroupWindowFunction<T1, T2, K, R>(fn));
  }
}

/** Splits a window's tagged records by input and calls the coGroup function (its own instance per subtask). */
class CoGroupWindowFunction<T1, T2, K, R> implements ProcessWindowFunction<TaggedUnion<T1, T2>, R, K, TimeWindow> {
  private coGroup: NestedFunction<(first: readonly T1[], second: readonly T2[], out: Collector<R>) => void> | undefined;

  constructor(private readonly fn: CoGroupFunction<T1, T2, R>) {}

  open(context: RuntimeContext): void {
    this.coGroup = new NestedFunction(this.fn as never, 'coGroup', context);
  }

  close(): void {
    this.coGroup?.close();
  }

  process(_key: K, _context: unknown, elements: readonly TaggedUnion<T1, T2>[], out: Collector<R>): void {
    const first: T1[] = [];
    const second: T2[] = [];
    for (const e of elements) {
      if (e[0] === 1) first.push(e[1]);
      else second.push(e[1]);
    }
    this.coGroup!.call(first, second, out);
  }
}
