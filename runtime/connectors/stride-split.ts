import { JsonVersionedSerializer } from './json-versioned-serializer.ts';
import type { SourceSplit } from './source.ts';

/**
 * A split of an indexed sequence (collection elements, generated numbers): split `index` of
 * `stride` covers the indices index, index+stride, index+2·stride, ...; `next` is its position, the
 * next index to emit. A job that starts makes one split per source subtask; restored splits keep
 * their stride whatever the new parallelism, so together they still cover the sequence once.
 */
export interface StrideSplit extends SourceSplit {
  readonly index: number;
  readonly stride: number;
  next: number;
}

/** The splits of a sequence read by `parallelism` subtasks: split i starts at index i. */
export function strideSplits(parallelism: number): StrideSplit[] {
  return Array.from({ length: parallelism }, (_, index) => ({ splitId: String(index), index, stride: parallelism, next: index }));
}

function checkStrideSplit(value: unknown): StrideSplit {
  const x = value as StrideSplit;
  if (typeof x?.splitId !== 'string' || !Number.isInteger(x.index) || !Number.isInteger(x.stride) || x.stride < 1 || !Number.isInteger(x.next)) {
    throw new Error(`invalid sequence split ${JSON.stringify(value)}`);
  }
  return { splitId: x.splitId, index: x.index, stride: x.stride, next: x.next };
}

export const STRIDE_SPLIT_SERIALIZER = new JsonVersionedSerializer<StrideSplit>('sequence split', checkStrideSplit);

export const STRIDE_SPLITS_SERIALIZER = new JsonVersionedSerializer<StrideSplit[]>('sequence enumerator state', (value) => {
  if (!Array.isArray(value)) throw new Error(`invalid sequence enumerator state ${JSON.stringify(value)}`);
  return value.map(checkStrideSplit);
});
