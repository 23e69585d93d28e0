/**
 * Splits of an indexed sequence (collection elements, generated numbers): on a fresh start, split
 * s of p covers the indices s, s+p, s+2p, ...; its state is the next index. Restored splits keep
 * their stride, whatever the new parallelism.
 */
export interface StrideSplit {
  readonly split: number;
  readonly stride: number;
  next: number;
}

export function initialStrideSplits(subtaskIndex: number, parallelism: number): StrideSplit[] {
  return [{ split: subtaskIndex, stride: parallelism, next: subtaskIndex }];
}

export function restoreStrideSplits(restored: readonly unknown[]): StrideSplit[] {
  return restored.map((s) => {
    const x = s as StrideSplit;
    if (typeof x?.split !== 'number' || typeof x.stride !== 'number' || typeof x.next !== 'number') {
      throw new Error(`invalid split state ${JSON.stringify(s)}`);
    }
    return { split: x.split, stride: x.stride, next: x.next };
  });
}
