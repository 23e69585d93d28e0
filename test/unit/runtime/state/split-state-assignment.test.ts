import { describe, expect, it } from '@jest/globals';
import type { OperatorState } from '../../../../runtime/checkpoint/metadata.ts';
import { operatorStateReadPlan } from '../../../../runtime/checkpoint/state-assignment.ts';
import { splitStateAssignment } from '../../../../runtime/state/split-state-assignment.ts';
import { assignStateToSubtask, decodeEntry, encodeEntry, type OperatorSnapshot } from '../../../../runtime/state/state-snapshot.ts';

/** Every new subtask's share. */
const shares = <T>(bySubtask: T[][], parallelism: number) => Array.from({ length: parallelism }, (_, s) => splitStateAssignment(bySubtask, parallelism, s));

describe('splitStateAssignment', () => {
  const old = [['a', 'b', 'c'], ['d'], []];

  it('keeps every subtask its own entries at unchanged parallelism', () => {
    expect(shares(old, 3)).toEqual(old);
  });

  it('deals the entries out in old-subtask order, in contiguous slices, the first subtasks taking one more', () => {
    expect(shares(old, 1)).toEqual([['a', 'b', 'c', 'd']]);
    expect(shares(old, 2)).toEqual([['a', 'b'], ['c', 'd']]);
    expect(shares(old, 4)).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(shares(old, 6)).toEqual([['a'], ['b'], ['c'], ['d'], [], []]);
    // A source of 2 splits scaled up to 3: the third subtask gets none (and must not start afresh).
    expect(shares([['split 0'], ['split 1']], 3)).toEqual([['split 0'], ['split 1'], []]);
  });

  it('gives every entry to exactly one new subtask', () => {
    for (let parallelism = 1; parallelism <= 7; parallelism++) expect(shares(old, parallelism).flat()).toEqual(['a', 'b', 'c', 'd']);
  });

  it("gives a source's enumerator state, old subtask 0's one entry, to new subtask 0 at every parallelism", () => {
    for (let before = 1; before <= 5; before++) {
      const enumerator = Array.from({ length: before }, (_, s) => (s === 0 ? ['enumerator state'] : []));
      for (let after = 1; after <= 6; after++) expect(shares(enumerator, after)).toEqual(Array.from({ length: after }, (_, s) => (s === 0 ? ['enumerator state'] : [])));
    }
  });

  it('rejects a subtask that does not exist', () => {
    expect(() => splitStateAssignment(old, 2, 2)).toThrow('subtask 2 of parallelism 2 does not exist');
    expect(() => splitStateAssignment(old, 0, 0)).toThrow('subtask 0 of parallelism 0 does not exist');
  });

  it('is what a restore from storage reads: the plan of a checkpoint holding the same entries', () => {
    // Old subtask i's entries are one byte each in its state file; the plan names them by file and offset.
    const checkpoint: OperatorState = {
      parallelism: 3,
      maxParallelism: 8,
      subtasks: old.map((entries, i) => ({
        operatorState: { path: `src/${i}`, size: entries.length, states: { splits: { mode: 'split', offsets: Array.from({ length: entries.length + 1 }, (_, k) => k) } } },
      })),
    };
    const name = (entry: { path: string; offset: number }) => old[Number(entry.path.slice(4))]![entry.offset]!;
    for (let parallelism = 1; parallelism <= 5; parallelism++) {
      for (let subtask = 0; subtask < parallelism; subtask++) {
        expect(operatorStateReadPlan(checkpoint, parallelism, subtask).get('splits')!.map(name)).toEqual(splitStateAssignment(old, parallelism, subtask));
      }
    }
  });

  it('is what an in-process restore assigns: assignStateToSubtask over the old subtasks\' snapshots', () => {
    const snapshots: OperatorSnapshot[] = old.map((entries, subtaskIndex) => ({
      operatorId: 'source',
      subtaskIndex,
      parallelism: 3,
      maxParallelism: 8,
      keyGroupRange: null,
      keyGroups: [],
      operatorState: [{ name: 'splits', entries: entries.map(encodeEntry) }],
    }));
    for (let parallelism = 1; parallelism <= 5; parallelism++) {
      for (let subtask = 0; subtask < parallelism; subtask++) {
        const restored = assignStateToSubtask(snapshots, 8, parallelism, subtask).operatorState.find((l) => l.name === 'splits')!;
        expect(restored.entries.map(decodeEntry)).toEqual(splitStateAssignment(old, parallelism, subtask));
      }
    }
  });
});
