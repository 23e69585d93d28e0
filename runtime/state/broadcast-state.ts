/**
 * Broadcast state, as Flink's: a map per descriptor that every subtask of a broadcast operator holds
 * in full. Only the broadcast side writes it, with the same elements in every subtask, so the copies
 * stay equal; the other side reads it.
 */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
}

export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  remove(key: K): void;
  clear(): void;
}
