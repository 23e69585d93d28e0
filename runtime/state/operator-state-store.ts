import type { BroadcastState } from './broadcast-state.ts';
import type { ListState } from './keyed-state.ts';

/** How a list state's entries go to the subtasks of a restore: dealt out (`split`), or old subtask 0's to every one (`broadcast`). */
export type DistributionMode = 'split' | 'broadcast';

/** One operator state in a snapshot: its entries and how a restore distributes them. */
export interface OperatorListSnapshot {
  readonly name: string;
  readonly entries: unknown[];
  readonly mode: DistributionMode;
}

/** Snapshot names of broadcast states; the prefix keeps them apart from list states of the same name. */
const BROADCAST_PREFIX = 'broadcast:';

/**
 * Operator (non-keyed) state. List state (a source's positions): on restore, the entries of all
 * old subtasks are redistributed over the new ones, so each entry must stand on its own. Broadcast
 * state: a map per name, equal in every subtask, so a snapshot takes it from subtask 0 only (the
 * operator says which subtask writes) and every subtask of a restore, at any parallelism, gets it.
 */
export class OperatorStateStore {
  private readonly lists = new Map<string, unknown[]>();
  private readonly broadcast = new Map<string, Map<unknown, unknown>>();

  getListState<T>(name: string): ListState<T> {
    let list = this.lists.get(name);
    if (!list) this.lists.set(name, (list = []));
    const l = list as T[];
    return {
      get: () => l,
      add: (v) => void l.push(v),
      addAll: (vs) => void l.push(...vs),
      update: (vs) => void l.splice(0, l.length, ...vs),
      clear: () => void (l.length = 0),
    };
  }

  getBroadcastState<K, V>(name: string): BroadcastState<K, V> {
    let map = this.broadcast.get(name);
    if (!map) this.broadcast.set(name, (map = new Map()));
    const m = map as Map<K, V>;
    return {
      get: (k) => m.get(k),
      contains: (k) => m.has(k),
      entries: () => m.entries(),
      keys: () => m.keys(),
      values: () => m.values(),
      isEmpty: () => m.size === 0,
      put: (k, v) => void m.set(k, v),
      remove: (k) => void m.delete(k),
      clear: () => m.clear(),
    };
  }

  /** The non-empty states; broadcast states only when `withBroadcast` (subtask 0 writes them, once per checkpoint). */
  snapshot(withBroadcast = true): OperatorListSnapshot[] {
    const lists: OperatorListSnapshot[] = [...this.lists].filter(([, l]) => l.length > 0).map(([name, l]) => ({ name, entries: [...l], mode: 'split' }));
    if (!withBroadcast) return lists;
    for (const [name, m] of this.broadcast) if (m.size > 0) lists.push({ name: BROADCAST_PREFIX + name, entries: [...m], mode: 'broadcast' });
    return lists;
  }

  restore(states: ReadonlyArray<readonly [string, readonly unknown[]]>): void {
    for (const [name, entries] of states) {
      if (!name.startsWith(BROADCAST_PREFIX)) this.getListState(name).addAll(entries);
      else for (const [k, v] of entries as [unknown, unknown][]) this.getBroadcastState(name.slice(BROADCAST_PREFIX.length)).put(k, v);
    }
  }
}
