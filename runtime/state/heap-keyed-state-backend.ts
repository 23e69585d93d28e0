import type { Key } from '../core/key.ts';
import type { ListState, MapState, ReducingState, ValueState } from './keyed-state.ts';
import { keyGroupFor, type KeyGroupRange } from '../core/key-group.ts';
import type { StateDescriptor } from './state-descriptor.ts';

/** Entries of one named state within one key group, as stored in a snapshot. */
export type StateEntries = Array<[Key, unknown]>;

/**
 * Keyed state on the heap, organised by key group: each named state is one Map per owned key
 * group, so a snapshot writes (and a restore reads) whole groups. Access goes through the
 * current key, set once per record by the keyed operator.
 */
export class HeapKeyedStateBackend {
  /** Per state name: its kind (unknown until first accessed when it came from a restore) and one Map per key group. */
  private readonly tables = new Map<string, { kind: StateDescriptor['kind'] | undefined; groups: Map<Key, unknown>[] }>();
  private currentKey: Key = '';
  /** Index of the current key's group inside `range`. */
  private currentIndex = 0;
  private readonly start: number;
  /** Index of the last owned group. */
  private readonly last: number;

  constructor(
    readonly range: KeyGroupRange,
    readonly maxParallelism: number,
  ) {
    this.start = range.start;
    this.last = range.end - range.start;
  }

  /** Makes `key` current; returns the index of its key group within this backend's range. */
  setCurrentKey(key: Key): number {
    const index = keyGroupFor(key, this.maxParallelism) - this.start;
    if (index < 0 || index > this.last) this.outOfRange(key);
    this.currentKey = key;
    this.currentIndex = index;
    return index;
  }

  /** Kept out of setCurrentKey so that the per-record path stays small enough to inline. */
  private outOfRange(key: Key): never {
    throw new Error(
      `key ${String(key)} is in key group ${keyGroupFor(key, this.maxParallelism)}, outside this subtask's range ` +
        `${this.range.start}-${this.range.end}; was the stream keyed the same way?`,
    );
  }

  getCurrentKey(): Key {
    return this.currentKey;
  }

  /** Index of the current key's group within this backend's range (for direct table access). */
  get currentGroupIndex(): number {
    return this.currentIndex;
  }

  /**
   * The raw table of a value state, one Map per key group: for runtime operators whose per-record
   * path reads and writes state directly (`table[currentGroupIndex]`).
   */
  valueTable(name: string): Map<Key, unknown>[] {
    return this.table(name, 'value');
  }

  getCurrentKeyGroup(): number {
    return this.currentIndex + this.range.start;
  }

  getState(descriptor: StateDescriptor): ValueState<unknown> | ListState<unknown> | MapState<unknown, unknown> | ReducingState<unknown> {
    const groups = this.table(descriptor.name, descriptor.kind);
    switch (descriptor.kind) {
      case 'value':
        return new HeapValueState(this, groups, descriptor.defaultValue);
      case 'list':
        return new HeapListState(this, groups);
      case 'map':
        return new HeapMapState(this, groups);
      case 'reducing':
        return new HeapReducingState(this, groups, descriptor.reduce);
    }
  }

  /** The current key's entry in a state table. */
  current(groups: Map<Key, unknown>[]): Map<Key, unknown> {
    return groups[this.currentIndex]!;
  }

  key(): Key {
    return this.currentKey;
  }

  /**
   * Calls `fn` for every key of this backend that holds the state `descriptor` names, with that key
   * current and the state scoped to it (Flink's applyToAllKeys). The keys are taken first, so `fn`
   * may update or clear the state; the current key is the same afterwards.
   */
  applyToAllKeys(descriptor: StateDescriptor, fn: (key: Key, state: ReturnType<HeapKeyedStateBackend['getState']>) => void): void {
    const state = this.getState(descriptor);
    const keys = [...this.keysOf(descriptor.name)];
    const [key, index] = [this.currentKey, this.currentIndex];
    try {
      for (const k of keys) {
        this.setCurrentKey(k);
        fn(k, state);
      }
    } finally {
      this.currentKey = key;
      this.currentIndex = index;
    }
  }

  /** Every key that holds a value in the named state, with its key group (for timers and tests). */
  *keysOf(name: string): IterableIterator<Key> {
    const t = this.tables.get(name);
    if (!t) return;
    for (const g of t.groups) yield* g.keys();
  }

  /** State of one key group, by state name; only non-empty states. */
  snapshotKeyGroup(keyGroup: number): Array<[string, StateEntries]> {
    const index = keyGroup - this.range.start;
    const out: Array<[string, StateEntries]> = [];
    for (const [name, t] of this.tables) {
      const g = t.groups[index]!;
      if (g.size > 0) out.push([name, [...g]]);
    }
    return out;
  }

  restoreKeyGroup(keyGroup: number, states: Array<[string, StateEntries]>): void {
    if (keyGroup < this.range.start || keyGroup > this.range.end) {
      throw new Error(`cannot restore key group ${keyGroup} outside range ${this.range.start}-${this.range.end}`);
    }
    const index = keyGroup - this.range.start;
    for (const [name, entries] of states) {
      const t = this.tables.get(name) ?? this.createTable(name, undefined);
      const g = t.groups[index]!;
      for (const [k, v] of entries) g.set(k, v);
    }
  }

  private table(name: string, kind: StateDescriptor['kind']): Map<Key, unknown>[] {
    const t = this.tables.get(name) ?? this.createTable(name, kind);
    if (t.kind === undefined) t.kind = kind;
    else if (t.kind !== kind) throw new Error(`state "${name}" is a ${t.kind} state, not a ${kind} state`);
    return t.groups;
  }

  private createTable(name: string, kind: StateDescriptor['kind'] | undefined) {
    const size = this.range.end - this.range.start + 1;
    const t: { kind: StateDescriptor['kind'] | undefined; groups: Map<Key, unknown>[] } = {
      kind,
      groups: Array.from({ length: size }, () => new Map<Key, unknown>()),
    };
    this.tables.set(name, t);
    return t;
  }
}

class HeapValueState<T> implements ValueState<T> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly groups: Map<Key, unknown>[],
    private readonly defaultValue: T | undefined,
  ) {}
  value(): T | undefined {
    const v = this.backend.current(this.groups).get(this.backend.key()) as T | undefined;
    return v === undefined ? this.defaultValue : v;
  }
  update(value: T): void {
    this.backend.current(this.groups).set(this.backend.key(), value);
  }
  clear(): void {
    this.backend.current(this.groups).delete(this.backend.key());
  }
}

const EMPTY: readonly never[] = Object.freeze([]);
/** What a map state without entries iterates; never written. */
const EMPTY_MAP: ReadonlyMap<unknown, unknown> = new Map();

class HeapListState<T> implements ListState<T> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly groups: Map<Key, unknown>[],
  ) {}
  get(): readonly T[] {
    return (this.backend.current(this.groups).get(this.backend.key()) as T[] | undefined) ?? EMPTY;
  }
  add(value: T): void {
    const m = this.backend.current(this.groups);
    const list = m.get(this.backend.key()) as T[] | undefined;
    if (list) list.push(value);
    else m.set(this.backend.key(), [value]);
  }
  addAll(values: readonly T[]): void {
    for (const v of values) this.add(v);
  }
  update(values: readonly T[]): void {
    if (values.length === 0) this.clear();
    else this.backend.current(this.groups).set(this.backend.key(), [...values]);
  }
  clear(): void {
    this.backend.current(this.groups).delete(this.backend.key());
  }
}

class HeapMapState<UK, UV> implements MapState<UK, UV> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly groups: Map<Key, unknown>[],
  ) {}
  private map(): Map<UK, UV> | undefined {
    return this.backend.current(this.groups).get(this.backend.key()) as Map<UK, UV> | undefined;
  }
  get(key: UK): UV | undefined {
    return this.map()?.get(key);
  }
  put(key: UK, value: UV): void {
    const m = this.map();
    if (m) m.set(key, value);
    else this.backend.current(this.groups).set(this.backend.key(), new Map<UK, UV>().set(key, value));
  }
  contains(key: UK): boolean {
    return this.map()?.has(key) ?? false;
  }
  remove(key: UK): void {
    const m = this.map();
    if (!m) return;
    m.delete(key);
    if (m.size === 0) this.clear();
  }
  entries(): IterableIterator<[UK, UV]> {
    return (this.map() ?? (EMPTY_MAP as Map<UK, UV>)).entries();
  }
  keys(): IterableIterator<UK> {
    return (this.map() ?? (EMPTY_MAP as Map<UK, UV>)).keys();
  }
  values(): IterableIterator<UV> {
    return (this.map() ?? (EMPTY_MAP as Map<UK, UV>)).values();
  }
  isEmpty(): boolean {
    return this.map() === undefined;
  }
  clear(): void {
    this.backend.current(this.groups).delete(this.backend.key());
  }
}

class HeapReducingState<T> implements ReducingState<T> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly groups: Map<Key, unknown>[],
    private readonly reduce: (a: T, b: T) => T,
  ) {}
  get(): T | undefined {
    return this.backend.current(this.groups).get(this.backend.key()) as T | undefined;
  }
  add(value: T): void {
    const m = this.backend.current(this.groups);
    const k = this.backend.key();
    const cur = m.get(k) as T | undefined;
    m.set(k, cur === undefined ? value : this.reduce(cur, value));
  }
  clear(): void {
    this.backend.current(this.groups).delete(this.backend.key());
  }
}
