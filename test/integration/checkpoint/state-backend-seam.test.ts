// The seam to runtime/state: an OperatorSnapshot as operators produce it goes into storage through
// writeSubtaskState, and readSubtaskState gives back an OperatorStateRestore holding the same key
// groups as runtime/state's in-memory assignment, at any parallelism.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompletedCheckpointStore } from '../../../runtime/checkpoint/completed-checkpoint-store.ts';
import { FilesystemObjectStore } from '../../../runtime/fs/filesystem-object-store.ts';
import { readSubtaskState } from '../../../runtime/checkpoint/subtask-state-reader.ts';
import { writeSubtaskState } from '../../../runtime/checkpoint/subtask-state-writer.ts';
import { keyGroupFor, keyGroupRangeFor } from '../../../runtime/core/key-group.ts';
import { assignStateToSubtask, decodeKeyGroup, encodeKeyGroup, type OperatorSnapshot, type OperatorStateRestore } from '../../../runtime/state/state-snapshot.ts';

const MAX_PARALLELISM = 16;
const OLD_PARALLELISM = 3;

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sluice-seam-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Word counts for 40 words, partitioned as a keyed sum at parallelism 3 would hold them. */
function snapshots(): OperatorSnapshot[] {
  const words = Array.from({ length: 40 }, (_, i) => `word-${i}`);
  return Array.from({ length: OLD_PARALLELISM }, (_, subtaskIndex) => {
    const range = keyGroupRangeFor(MAX_PARALLELISM, OLD_PARALLELISM, subtaskIndex);
    const keyGroups = [];
    for (let group = range.start; group <= range.end; group++) {
      const counts = words.filter((word) => keyGroupFor(word, MAX_PARALLELISM) === group).map((word, i): [string, unknown] => [word, i + 1]);
      if (counts.length > 0) keyGroups.push({ keyGroup: group, bytes: encodeKeyGroup({ states: [['count', counts]], timers: [[0, 1000 + group, counts[0]![0], 'flush']] }) });
    }
    return { operatorId: 'keyed-sum', subtaskIndex, parallelism: OLD_PARALLELISM, maxParallelism: MAX_PARALLELISM, keyGroupRange: range, keyGroups, operatorState: [] };
  });
}

describe('state backend seam', () => {
  it('restores through storage exactly the key groups the in-memory assignment gives, at parallelism 1 to 5', async () => {
    const storage = new FilesystemObjectStore(directory);
    const store = new CompletedCheckpointStore(storage, { namespace: 'default', jobName: 'wordcount' }, 'wordcount');
    const location = store.location(1);
    const taken = snapshots();
    const subtasks = await Promise.all(taken.map((snapshot) => writeSubtaskState(location, snapshot.operatorId, snapshot.subtaskIndex, snapshot)));
    await location.writeMetadata({
      version: 1,
      checkpointId: 1,
      jobId: 'wordcount',
      kind: 'checkpoint',
      timestamp: 0,
      operators: { 'keyed-sum': { parallelism: OLD_PARALLELISM, maxParallelism: MAX_PARALLELISM, subtasks } },
    });
    const { checkpoint } = await store.findLatest();
    const operator = checkpoint!.metadata.operators['keyed-sum']!;

    const stored = taken.reduce((sum, snapshot) => sum + snapshot.keyGroups.length, 0);
    expect(stored).toBe(15);
    for (let parallelism = 1; parallelism <= 5; parallelism++) {
      let restoredGroups = 0;
      for (let subtask = 0; subtask < parallelism; subtask++) {
        const restored: OperatorStateRestore = await readSubtaskState(storage, checkpoint!.directory, operator, keyGroupRangeFor(MAX_PARALLELISM, parallelism, subtask), parallelism, subtask);
        const expected = assignStateToSubtask(taken, MAX_PARALLELISM, parallelism, subtask);
        const decode = (restore: OperatorStateRestore) => restore.keyGroups.map((group) => [group.keyGroup, decodeKeyGroup(group.bytes)]);
        expect(decode(restored)).toEqual(decode(expected));
        restoredGroups += restored.keyGroups.length;
      }
      expect(restoredGroups).toBe(stored);
    }
  });
});
