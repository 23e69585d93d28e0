/** Keys must be primitives: state and partitioning compare keys by value, in every process alike. */
export type Key = string | number | bigint | boolean;

/** Extracts the key of a record (`keyBy`); must be deterministic, since every process computes it. */
export type KeySelector<T, K extends Key> = (value: T) => K;
