import { describe, expect, it } from '@jest/globals';
import {
  checkpointDirectory,
  listedDirectories,
  parseCheckpointDirectoryName,
  parseSavepointDirectoryName,
  savepointDirectory,
  subtaskStateFile,
} from '../../../../runtime/checkpoint/storage-layout.ts';

const scope = { namespace: 'team-a', jobName: 'wordcount' };

describe('storage layout', () => {
  it('places checkpoints under the run and savepoints under the job name', () => {
    expect(checkpointDirectory(scope, 'c0ffee-3', 42)).toBe('team-a/wordcount/c0ffee-3/checkpoints/chk-42');
    expect(savepointDirectory(scope, 1_732_540_000_000)).toBe('team-a/wordcount/savepoints/sp-1732540000000');
  });

  it('names subtask state files by operator id and subtask, encoding ids that are not path-safe', () => {
    expect(subtaskStateFile('window-sum', 3)).toBe('window-sum/3');
    expect(subtaskStateFile('my source/v2', 0)).toBe('my%20source%2Fv2/0');
    expect(subtaskStateFile('..', 0)).toBe('%2E%2E/0');
  });

  it('parses only well-formed directory names', () => {
    expect(['chk-0', 'chk-17', 'chk-017', 'chk-', 'chk-1x', 'sp-5'].map(parseCheckpointDirectoryName)).toEqual([0, 17, undefined, undefined, undefined, undefined]);
    expect(['sp-1732540000000', 'sp-x', 'chk-1'].map(parseSavepointDirectoryName)).toEqual([1732540000000, undefined, undefined]);
  });

  it('rejects names that would break the layout', () => {
    expect(() => checkpointDirectory({ namespace: 'a/b', jobName: 'j' }, 'run', 1)).toThrow(
      'Invalid namespace "a/b" for a checkpoint storage path: it must be non-empty, not "." or "..", and contain no "/"',
    );
    expect(() => checkpointDirectory(scope, '..', 1)).toThrow('Invalid job id ".." for a checkpoint storage path: it must be non-empty, not "." or "..", and contain no "/"');
    expect(() => checkpointDirectory(scope, 'run', -1)).toThrow('Invalid checkpoint id -1: expected a non-negative integer');
    expect(() => subtaskStateFile('', 0)).toThrow('Operator id must not be empty');
  });

  it('groups a listing into checkpoint directories, completed when holding _metadata', () => {
    const entries = ['r/chk-2/op/0', 'r/chk-10/_metadata', 'r/chk-10/op/0', 'r/chk-2/_metadata', 'r/chk-3/op/0', 'r/chk-3/op/_metadata', 'r/other/_metadata', 'r/chk-4'].map((path) => ({ path, size: 1 }));
    expect(listedDirectories(entries, 'r', parseCheckpointDirectoryName)).toEqual([
      { number: 2, directory: 'r/chk-2', completed: true },
      { number: 3, directory: 'r/chk-3', completed: false },
      { number: 10, directory: 'r/chk-10', completed: true },
    ]);
  });
});
