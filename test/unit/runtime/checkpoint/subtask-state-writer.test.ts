import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStorageLocation } from '../../../../runtime/checkpoint/checkpoint-location.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import { writeSubtaskState } from '../../../../runtime/checkpoint/subtask-state-writer.ts';

let directory: string;
let location: CheckpointStorageLocation;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sluice-writer-'));
  location = new CheckpointStorageLocation(new FilesystemObjectStore(directory), 'chk-1', 'checkpoint', 1);
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const bytes = (text: string) => Buffer.from(text);

describe('writeSubtaskState', () => {
  it('writes key groups then list entries into one file, with an offset for every key group of the range', async () => {
    const state = await writeSubtaskState(location, 'sum', 1, {
      keyGroupRange: { start: 4, end: 7 },
      keyGroups: [
        { keyGroup: 5, bytes: bytes('five') },
        { keyGroup: 7, bytes: bytes('seven') },
      ],
      operatorState: [
        { name: 'offsets', entries: [bytes('o1'), bytes('o22')] },
        { name: 'rules', mode: 'broadcast', entries: [] },
      ],
    });
    expect(state).toEqual({
      keyedState: { path: 'sum/1', size: 14, keyGroupRange: { start: 4, end: 7 }, offsets: [0, 0, 4, 4, 9] },
      operatorState: { path: 'sum/1', size: 14, states: { offsets: { mode: 'split', offsets: [9, 11, 14] }, rules: { mode: 'broadcast', offsets: [14] } } },
    });
    expect(await readFile(join(directory, 'chk-1', 'sum', '1'), 'utf8')).toBe('fiveseveno1o22');
  });

  it('writes no file for a subtask without state', async () => {
    expect(await writeSubtaskState(location, 'map', 0, { keyGroupRange: null, keyGroups: [], operatorState: [] })).toEqual({});
    expect(await new FilesystemObjectStore(directory).list('')).toEqual([]);
  });

  it('rejects key groups out of order, outside the range or without one, and duplicate list names', async () => {
    const group = (keyGroup: number) => ({ keyGroup, bytes: bytes('x') });
    await expect(writeSubtaskState(location, 'sum', 0, { keyGroupRange: { start: 0, end: 3 }, keyGroups: [group(2), group(1)], operatorState: [] })).rejects.toThrow(
      `operator "sum" subtask 0: key group 1 is out of order or outside the subtask's range 0-3`,
    );
    await expect(writeSubtaskState(location, 'sum', 0, { keyGroupRange: { start: 0, end: 3 }, keyGroups: [group(4)], operatorState: [] })).rejects.toThrow(
      `operator "sum" subtask 0: key group 4 is out of order or outside the subtask's range 0-3`,
    );
    await expect(writeSubtaskState(location, 'sum', 0, { keyGroupRange: null, keyGroups: [group(0)], operatorState: [] })).rejects.toThrow(
      'operator "sum" subtask 0: key groups given without a key-group range',
    );
    await expect(
      writeSubtaskState(location, 'src', 0, { keyGroupRange: null, keyGroups: [], operatorState: [{ name: 'a', entries: [] }, { name: 'a', entries: [] }] }),
    ).rejects.toThrow('operator "src" subtask 0: operator state "a" appears twice');
  });
});
