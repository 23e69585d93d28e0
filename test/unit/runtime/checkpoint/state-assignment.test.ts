import { describe, expect, it } from '@jest/globals';
import type { OperatorState } from '../../../../runtime/checkpoint/metadata.ts';
import { keyedStateReadPlan, operatorStateReadPlan } from '../../../../runtime/checkpoint/state-assignment.ts';

const MAX_PARALLELISM = 8;
const HEADER = 16;

/** The bytes key group g holds: g + 1 copies of the letter for g (so lengths differ), empty for group 5. */
function groupBytes(group: number): string {
  return group === 5 ? '' : String.fromCharCode(97 + group).repeat(group + 1);
}

/** A keyed snapshot at parallelism 3 (groups 0-2, 3-5, 6-7); each file starts with a 16-byte header. */
function keyedSnapshot(): { snapshot: OperatorState; files: Map<string, string> } {
  const files = new Map<string, string>();
  const ranges = [
    { start: 0, end: 2 },
    { start: 3, end: 5 },
    { start: 6, end: 7 },
  ];
  const subtasks = ranges.map((range, subtask) => {
    const path = `sum/${subtask}`;
    let content = 'H'.repeat(HEADER);
    const offsets = [content.length];
    for (let group = range.start; group <= range.end; group++) {
      content += groupBytes(group);
      offsets.push(content.length);
    }
    files.set(path, content);
    return { keyedState: { path, size: content.length, keyGroupRange: range, offsets } };
  });
  return { snapshot: { parallelism: 3, maxParallelism: MAX_PARALLELISM, subtasks }, files };
}

describe('keyedStateReadPlan', () => {
  it('selects the byte ranges of a new subtask key groups across old files', () => {
    const { snapshot } = keyedSnapshot();
    expect(keyedStateReadPlan(snapshot, { start: 0, end: 3 })).toEqual([
      { path: 'sum/0', offset: 16, length: 6, keyGroups: { start: 0, end: 2 }, keyGroupOffsets: [0, 1, 3, 6] },
      { path: 'sum/1', offset: 16, length: 4, keyGroups: { start: 3, end: 3 }, keyGroupOffsets: [0, 4] },
    ]);
    expect(keyedStateReadPlan(snapshot, { start: 2, end: 3 })).toEqual([
      { path: 'sum/0', offset: 19, length: 3, keyGroups: { start: 2, end: 2 }, keyGroupOffsets: [0, 3] },
      { path: 'sum/1', offset: 16, length: 4, keyGroups: { start: 3, end: 3 }, keyGroupOffsets: [0, 4] },
    ]);
  });

  it('reassembles exactly the key groups of every possible new range', () => {
    const { snapshot, files } = keyedSnapshot();
    for (let start = 0; start < MAX_PARALLELISM; start++) {
      for (let end = start; end < MAX_PARALLELISM; end++) {
        const groups: Array<[number, string]> = [];
        for (const range of keyedStateReadPlan(snapshot, { start, end })) {
          const bytes = files.get(range.path)!.slice(range.offset, range.offset + range.length);
          for (let g = range.keyGroups.start; g <= range.keyGroups.end; g++) {
            const i = g - range.keyGroups.start;
            groups.push([g, bytes.slice(range.keyGroupOffsets[i], range.keyGroupOffsets[i + 1])]);
          }
        }
        const expected: Array<[number, string]> = [];
        for (let g = start; g <= end; g++) expected.push([g, groupBytes(g)]);
        expect(groups).toEqual(expected);
      }
    }
  });

  it('skips subtasks without keyed state', () => {
    const { snapshot } = keyedSnapshot();
    snapshot.subtasks[1] = {};
    expect(keyedStateReadPlan(snapshot, { start: 3, end: 5 })).toEqual([]);
    expect(keyedStateReadPlan(snapshot, { start: 5, end: 6 }).map((range) => range.keyGroups)).toEqual([{ start: 6, end: 6 }]);
  });

  it('rejects a range outside the snapshot key groups', () => {
    const { snapshot } = keyedSnapshot();
    expect(() => keyedStateReadPlan(snapshot, { start: 4, end: 8 })).toThrow("key-group range 4-8 is not within 0-7 (the checkpoint's maxParallelism is 8)");
  });
});

describe('operatorStateReadPlan', () => {
  // Subtask 0 holds split entries a, b, c; subtask 1 holds d. Each entry is one byte at its own offset.
  const snapshot: OperatorState = {
    parallelism: 2,
    maxParallelism: 8,
    subtasks: [
      { operatorState: { path: 'src/0', size: 5, states: { offsets: { mode: 'split', offsets: [0, 1, 2, 3] }, config: { mode: 'union', offsets: [3, 4] }, rules: { mode: 'broadcast', offsets: [4, 5] } } } },
      { operatorState: { path: 'src/1', size: 3, states: { offsets: { mode: 'split', offsets: [0, 1] }, config: { mode: 'union', offsets: [1, 2] }, rules: { mode: 'broadcast', offsets: [2, 3] } } } },
    ],
  };
  const entry = (path: string, offset: number) => ({ path, offset, length: 1 });

  it('keeps every subtask own split entries at unchanged parallelism', () => {
    expect(operatorStateReadPlan(snapshot, 2, 1)).toEqual(
      new Map([
        ['offsets', [entry('src/1', 0)]],
        ['config', [entry('src/0', 3), entry('src/1', 1)]],
        ['rules', [entry('src/0', 4)]],
      ]),
    );
  });

  it('deals split entries out in contiguous near-equal slices when rescaled', () => {
    const split = (parallelism: number) => Array.from({ length: parallelism }, (_, subtask) => operatorStateReadPlan(snapshot, parallelism, subtask).get('offsets'));
    expect(split(3)).toEqual([[entry('src/0', 0), entry('src/0', 1)], [entry('src/0', 2)], [entry('src/1', 0)]]);
    expect(split(1)).toEqual([[entry('src/0', 0), entry('src/0', 1), entry('src/0', 2), entry('src/1', 0)]]);
    expect(split(5)[4]).toEqual([]);
    expect(operatorStateReadPlan(snapshot, 3, 2).get('config')).toEqual([entry('src/0', 3), entry('src/1', 1)]);
    expect(operatorStateReadPlan(snapshot, 3, 2).get('rules')).toEqual([entry('src/0', 4)]);
  });

  it('rejects a subtask that does not exist', () => {
    expect(() => operatorStateReadPlan(snapshot, 2, 2)).toThrow('subtask 2 of parallelism 2 does not exist');
  });
});
