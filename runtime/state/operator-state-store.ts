import type { ListState } from './keyed-state.ts';

/**
 * Operator (non-keyed) list state, e.g. a source's positions. On restore, the entries of all
 * old subtasks are redistributed over the new ones, so each entry must stand on its own.
 */
export class OperatorStateStore {
  private readonly lists = new Map<string, unknown[]>();

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

  snapshot(): Array<[string, unknown[]]> {
    return [...this.lists].filter(([, l]) => l.length > 0).map(([n, l]) => [n, [...l]]);
  }

  restore(states: ReadonlyArray<readonly [string, readonly unknown[]]>): void {
    for (const [name, entries] of states) this.getListState(name).addAll(entries);
  }
}
