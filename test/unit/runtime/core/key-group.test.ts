import { describe, expect, it } from '@jest/globals';
import { hashKey, keyGroupFor, keyGroupRangeFor, subtaskForKeyGroup } from '../../../../runtime/core/key-group.ts';

describe('key groups', () => {
  it.each([1, 2, 3, 5, 7, 128])('splits 128 key groups into contiguous ranges for parallelism %i', (p) => {
    const ranges = Array.from({ length: p }, (_, i) => keyGroupRangeFor(128, p, i));
    expect(ranges[0]!.start).toBe(0);
    expect(ranges[p - 1]!.end).toBe(127);
    for (let i = 1; i < p; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end + 1);
    for (let i = 0; i < p; i++) {
      for (let g = ranges[i]!.start; g <= ranges[i]!.end; g++) expect(subtaskForKeyGroup(128, p, g)).toBe(i);
    }
  });

  it('hashes keys the same way in every process (fixed values)', () => {
    // Pinned: a change of the hash would send restored state to the wrong subtasks.
    expect([hashKey('hello'), hashKey(42), hashKey(10n) === hashKey('10'), hashKey(1.5) === hashKey('1.5')]).toEqual([
      hashKey('hello'),
      hashKey(42),
      true,
      true,
    ]);
    expect(keyGroupFor('hello', 128)).toBe(hashKey('hello') % 128);
    expect([keyGroupFor('hello', 128), keyGroupFor(42, 128), keyGroupFor('shop-3', 128)]).toEqual([110, 92, 44]);
  });

  it('spreads keys over key groups', () => {
    const counts = new Array<number>(128).fill(0);
    for (let i = 0; i < 12_800; i++) counts[keyGroupFor(`user-${i}`, 128)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(150);
  });

  it('rejects keys that are not primitives, and parallelism above maxParallelism', () => {
    expect(() => hashKey({} as never)).toThrow('key must be a string, number, bigint or boolean, got object');
    expect(() => hashKey(null as never)).toThrow('got null');
    expect(() => keyGroupRangeFor(4, 5, 0)).toThrow('parallelism 5 must be between 1 and maxParallelism 4');
  });
});
