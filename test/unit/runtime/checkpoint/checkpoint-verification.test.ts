import { describe, expect, it } from '@jest/globals';
import { verifyCheckpoint } from '../../../../runtime/checkpoint/checkpoint-verification.ts';
import { serializeMetadata, type CheckpointMetadata } from '../../../../runtime/checkpoint/metadata.ts';

const metadata: CheckpointMetadata = {
  version: 1,
  checkpointId: 4,
  jobId: 'run-1',
  kind: 'checkpoint',
  timestamp: 0,
  operators: {
    op: {
      parallelism: 2,
      maxParallelism: 2,
      subtasks: [
        { keyedState: { path: 'op/0', size: 10, keyGroupRange: { start: 0, end: 0 }, offsets: [0, 10] } },
        { keyedState: { path: 'op/1', size: 12, keyGroupRange: { start: 1, end: 1 }, offsets: [0, 12] } },
      ],
    },
  },
};

describe('verifyCheckpoint', () => {
  it('accepts metadata whose files all exist with their recorded sizes', () => {
    const files = new Map([['_metadata', 1], ['op/0', 10], ['op/1', 12], ['op/unrelated', 3]]);
    expect(verifyCheckpoint(serializeMetadata(metadata), files, 4)).toEqual({ ok: true, metadata });
  });

  it('reports every problem at once', () => {
    expect(verifyCheckpoint(serializeMetadata(metadata), new Map([['op/1', 11]]), 5)).toEqual({
      ok: false,
      reasons: [
        { kind: 'checkpoint-id-mismatch', expected: 5, actual: 4, message: '_metadata names checkpoint 4, but lies in the directory of checkpoint 5' },
        { kind: 'file-missing', file: 'op/0', message: 'state file "op/0" referenced by _metadata does not exist' },
        { kind: 'file-size-mismatch', file: 'op/1', expectedSize: 12, actualSize: 11, message: 'state file "op/1" has 11 bytes, _metadata records 12' },
      ],
    });
  });
});
