import { describe, expect, it } from '@jest/globals';
import { CheckpointVerificationError } from '../../../../runtime/checkpoint/checkpoint-verification.ts';
import { CompletedCheckpointStore } from '../../../../runtime/checkpoint/completed-checkpoint-store.ts';
import { serializeMetadata, type CheckpointMetadata } from '../../../../runtime/checkpoint/metadata.ts';
import { findLatestOfRun } from '../../../../runtime/checkpoint/previous-run.ts';
import { findRestorePoint } from '../../../../runtime/checkpoint/restore.ts';
import { checkpointDirectory, savepointDirectory } from '../../../../runtime/checkpoint/storage-layout.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const scope = { namespace: 'streaming', jobName: 'wordcount' };
const tempDir = tempDirs('previous-run-');

/** Writes a completed checkpoint (or savepoint) of `jobId` with one state file; `corrupt` leaves the file short. */
async function write(store: FilesystemObjectStore, directory: string, meta: Pick<CheckpointMetadata, 'checkpointId' | 'jobId' | 'kind' | 'timestamp'>, corrupt = false): Promise<void> {
  const metadata: CheckpointMetadata = {
    version: 1,
    ...meta,
    operators: { op: { parallelism: 1, maxParallelism: 1, subtasks: [{ keyedState: { path: 'op/0', size: 4, keyGroupRange: { start: 0, end: 0 }, offsets: [0, 4] } }] } },
  };
  await store.write(`${directory}/op/0`, Buffer.from(corrupt ? 'ab' : 'abcd'));
  await store.write(`${directory}/_metadata`, serializeMetadata(metadata));
}

async function storage(): Promise<FilesystemObjectStore> {
  return new FilesystemObjectStore(tempDir());
}

describe('the newest state of a previous run, found in storage', () => {
  it('walks back past checkpoints that do not verify and says why', async () => {
    const s = await storage();
    for (const id of [1, 2]) await write(s, checkpointDirectory(scope, 'run-1', id), { checkpointId: id, jobId: 'run-1', kind: 'checkpoint', timestamp: id * 1000 });
    await write(s, checkpointDirectory(scope, 'run-1', 3), { checkpointId: 3, jobId: 'run-1', kind: 'checkpoint', timestamp: 3000 }, true);
    const found = await findLatestOfRun(s, scope, 'run-1');
    expect(found.checkpoint?.checkpointId).toBe(2);
    expect(found.skipped.map((k) => [k.checkpointId, k.reasons.map((r) => r.message)])).toEqual([[3, ['state file "op/0" has 2 bytes, _metadata records 4']]]);
  });

  it('takes a savepoint of that run newer than its checkpoints (a stop whose answer was lost), not one of another run', async () => {
    const s = await storage();
    for (const id of [1, 2]) await write(s, checkpointDirectory(scope, 'run-1', id), { checkpointId: id, jobId: 'run-1', kind: 'checkpoint', timestamp: id * 1000 });
    await write(s, savepointDirectory(scope, 500), { checkpointId: 1, jobId: 'run-0', kind: 'savepoint', timestamp: 500 });
    await write(s, savepointDirectory(scope, 2500), { checkpointId: 3, jobId: 'run-1', kind: 'savepoint', timestamp: 2500 });
    await write(s, savepointDirectory(scope, 2600), { checkpointId: 9, jobId: 'run-9', kind: 'savepoint', timestamp: 2600 });
    const found = await findLatestOfRun(s, scope, 'run-1');
    expect([found.checkpoint?.checkpointId, found.checkpoint?.metadata.kind, found.checkpoint?.uri]).toEqual([3, 'savepoint', s.uriOf(savepointDirectory(scope, 2500))]);
    expect(found.skipped).toEqual([]);
  });

  it('is what a run told restoreFromRun starts from, before restoreFrom; none verifying fails the restore; none at all leaves restoreFrom', async () => {
    const s = await storage();
    await write(s, checkpointDirectory(scope, 'run-1', 4), { checkpointId: 4, jobId: 'run-1', kind: 'checkpoint', timestamp: 4000 });
    const own = new CompletedCheckpointStore(s, scope, 'run-2');
    const decision = await findRestorePoint(own, '/nowhere/sp-1', {}, 'run-1');
    expect([decision.point?.origin, decision.point?.checkpoint.checkpointId]).toEqual(['previous-run', 4]);

    await write(s, checkpointDirectory(scope, 'run-3', 1), { checkpointId: 1, jobId: 'run-3', kind: 'checkpoint', timestamp: 1000 }, true);
    await expect(findRestorePoint(new CompletedCheckpointStore(s, scope, 'run-4'), undefined, {}, 'run-3')).rejects.toThrow(
      new CheckpointVerificationError('run run-3', [{ kind: 'file-size-mismatch', file: 'op/0', expectedSize: 4, actualSize: 2, message: 'state file "op/0" has 2 bytes, _metadata records 4' }]),
    );
    expect(await findRestorePoint(new CompletedCheckpointStore(s, scope, 'run-6'), undefined, {}, 'run-5')).toEqual({ skipped: [] });
  });

  it('restarts a run from its own savepoint newer than its checkpoints (the savepoint committed its sinks), not the checkpoint before it', async () => {
    const s = await storage();
    await write(s, checkpointDirectory(scope, 'run-7', 5), { checkpointId: 5, jobId: 'run-7', kind: 'checkpoint', timestamp: 5000 });
    await write(s, savepointDirectory(scope, 5500), { checkpointId: 6, jobId: 'run-7', kind: 'savepoint', timestamp: 5500 });
    const decision = await findRestorePoint(new CompletedCheckpointStore(s, scope, 'run-7'), '/nowhere/sp-1', {});
    expect([decision.point?.origin, decision.point?.checkpoint.checkpointId, decision.point?.checkpoint.uri]).toEqual(['own-run', 6, s.uriOf(savepointDirectory(scope, 5500))]);
  });
});
