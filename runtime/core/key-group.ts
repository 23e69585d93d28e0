import type { Key } from '../core/key.ts';

/**
 * Key groups: the unit in which keyed state is partitioned and redistributed. A key belongs to
 * group hash(key) mod maxParallelism; subtask i of p owns a contiguous range of groups, so a
 * restore at another parallelism reassigns whole groups.
 */

/** Inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

export const DEFAULT_MAX_PARALLELISM = 128;

/**
 * murmur3's finalizer: spreads the bits of a 32-bit value. The result is kept to 31 bits so it
 * stays a small integer for V8 and `% maxParallelism` is an integer division, not a float one.
 */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** A stable, non-negative 31-bit hash of a key, equal in every process. */
export function hashKey(key: Key): number {
  switch (typeof key) {
    case 'string':
      return hashString(key);
    case 'number':
      return (key | 0) === key ? mix(key) : hashString(String(key));
    case 'bigint':
      return hashString(key.toString());
    case 'boolean':
      return mix(key ? 1 : 0);
    default:
      throw new TypeError(
        `key must be a string, number, bigint or boolean, got ${key === null ? 'null' : typeof key} ` +
          '(join tuple fields into a string to key by several fields)',
      );
  }
}

export function keyGroupFor(key: Key, maxParallelism: number): number {
  return hashKey(key) % maxParallelism;
}

/** The key groups subtask `index` of `parallelism` owns (Flink's assignment). */
export function keyGroupRangeFor(maxParallelism: number, parallelism: number, index: number): KeyGroupRange {
  if (parallelism < 1 || parallelism > maxParallelism) {
    throw new RangeError(`parallelism ${parallelism} must be between 1 and maxParallelism ${maxParallelism}`);
  }
  return {
    start: Math.floor((index * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((index + 1) * maxParallelism - 1) / parallelism),
  };
}

/** The subtask that owns `keyGroup`; the inverse of keyGroupRangeFor. */
export function subtaskForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export function inKeyGroupRange(range: KeyGroupRange, keyGroup: number): boolean {
  return keyGroup >= range.start && keyGroup <= range.end;
}
