import { requireFunction, type Collector, type Key, type KeySelector, type RichFunction } from '../functions/functions.ts';
import { NestedFunction } from '../functions/nested-function.ts';
import type { JoinFunction } from '../functions/join-functions.ts';
import type { RuntimeContext } from '../functions/runtime-context.ts';
import type { WindowAssigner } from '../windowing/window-assigner.ts';
import { CoGroupedStreams, type TaggedUnion, type WithWindow } from './co-grouped-streams.ts';
import type { DataStream } from './data-stream.ts';

/**
 * `a.join(b).where(ka).equalTo(kb).window(assigner).apply(JoinFunction)`, as Flink's JoinedStreams:
 * an inner join per key and window, a coGroup whose function calls the join function for every pair
 * of the key's records of the two inputs in the window (first-stream records in the outer loop).
 */
export class JoinedStreams<T1, T2> {
  constructor(
    private readonly first: DataStream<T1>,
    private readonly second: DataStream<T2>,
  ) {}

  where<K extends Key>(keySelector: KeySelector<T1, K>): {
    equalTo(keySelector: KeySelector<T2, K>): { window(assigner: WindowAssigner<TaggedUnion<T1, T2>>): JoinWithWindow<T1, T2, K> };
  } {
    const keys = new CoGroupedStreams(this.first, this.second).where(keySelector);
    return {
      equalTo: (second) => ({ window: (assigner) => new JoinWithWindow(keys.equalTo(second).window(assigner)) }),
    };
  }
}

export class JoinWithWindow<T1, T2, K extends Key> {
  constructor(private readonly coGrouped: WithWindow<T1, T2, K>) {}

  apply<R>(fn: JoinFunction<T1, T2, R>): DataStream<R> {
    requireFunction('apply', fn, 'join');
    return this.coGrouped.apply<R>(new JoinCoGroupFunction(fn));
  }
}

/** The coGroup function of a window join (Flink's JoinCoGroupFunction): every pair, joined. */
class JoinCoGroupFunction<T1, T2, R> implements RichFunction {
  private join: NestedFunction<(first: T1, second: T2) => R> | undefined;

  constructor(private readonly fn: JoinFunction<T1, T2, R>) {}

  open(context: RuntimeContext): void {
    this.join = new NestedFunction(this.fn as never, 'join', context);
  }

  close(): void {
    this.join?.close();
  }

  coGroup(first: readonly T1[], second: readonly T2[], out: Collector<R>): void {
    const join = this.join!.call;
    for (const a of first) for (const b of second) out.collect(join(a, b));
  }
}
