import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStorageLocation } from '../../../../runtime/checkpoint/checkpoint-location.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';
import { uploadSubtaskSnapshot } from '../../../../runtime/checkpoint/subtask-checkpoint-uploader.ts';
import { encodeEntry, type OperatorSnapshot } from '../../../../runtime/state/state-snapshot.ts';

const snapshot = (asyncPhase?: Promise<void>): OperatorSnapshot => ({
  operatorId: 'sink',
  subtaskIndex: 1,
  parallelism: 2,
  maxParallelism: 128,
  keyGroupRange: null,
  keyGroups: [],
  operatorState: [{ name: 'sink', entries: [encodeEntry({ part: 'part-1-a-0' })] }],
  ...(asyncPhase ? { asyncPhase } : {}),
});
const ack = (s: OperatorSnapshot) => ({ vertexId: 'v', subtaskIndex: 1, checkpointId: 7, snapshots: [s], alignmentDurationMs: 0 });

describe('uploadSubtaskSnapshot', () => {
  let dir: string;
  let location: CheckpointStorageLocation;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-uploader-'));
    location = new CheckpointStorageLocation(new FilesystemObjectStore(dir), 'chk-7', 'checkpoint', 7);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the state once the snapshot\'s asynchronous phase is done, and acks its handle', async () => {
    let done!: () => void;
    const upload = uploadSubtaskSnapshot(location, ack(snapshot(new Promise((r) => (done = r)))));
    await new Promise((r) => setImmediate(r));
    expect(existsSync(join(dir, 'chk-7'))).toBe(false);
    done();
    const handles = await upload;
    expect(Object.keys(handles.states)).toEqual(['sink']);
    expect(readdirSync(join(dir, 'chk-7', 'sink'))).toEqual(['1']);
  });

  it('an aborted checkpoint stops the upload: nothing is written', async () => {
    const abort = new AbortController();
    let done!: () => void;
    const upload = uploadSubtaskSnapshot(location, ack(snapshot(new Promise((r) => (done = r)))), { signal: abort.signal });
    abort.abort(new Error('checkpoint 7 aborted: not completed within 100 ms'));
    done();
    await expect(upload).rejects.toThrow('checkpoint 7 aborted: not completed within 100 ms');
    expect(existsSync(join(dir, 'chk-7'))).toBe(false);
  });

  it('a failed asynchronous phase (a sink\'s upload) fails the acknowledgement', async () => {
    await expect(uploadSubtaskSnapshot(location, ack(snapshot(Promise.reject(new Error('staging upload failed')))))).rejects.toThrow('staging upload failed');
  });
});
