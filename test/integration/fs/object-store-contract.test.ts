// One contract, two implementations: everything below runs against a directory and against a real
// S3-compatible server on loopback, and must give the same results.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startS3Server, type S3Server } from '../../../sandbox/s3/server.ts';
import type { ObjectStore } from '../../../runtime/fs/object-store.ts';
import { StorageError } from '../../../runtime/fs/storage-error.ts';
import { CompletedCheckpointStore } from '../../../runtime/checkpoint/completed-checkpoint-store.ts';
import { CheckpointVerificationError, loadCheckpoint } from '../../../runtime/checkpoint/checkpoint-verification.ts';
import type { CheckpointMetadata } from '../../../runtime/checkpoint/metadata.ts';
import { openCheckpointAt } from '../../../runtime/checkpoint/open-checkpoint.ts';
import { openObjectStore, type S3ConnectionOptions } from '../../../runtime/fs/open-object-store.ts';
import { SavepointStore } from '../../../runtime/checkpoint/savepoint-store.ts';
import type { CheckpointStorageLocation } from '../../../runtime/checkpoint/checkpoint-location.ts';
import { readSubtaskState } from '../../../runtime/checkpoint/subtask-state-reader.ts';
import { writeSubtaskState, type SubtaskSnapshot } from '../../../runtime/checkpoint/subtask-state-writer.ts';
import { keyGroupRangeFor } from '../../../runtime/core/key-group.ts';

const BUCKET = 'checkpoints';
const scope = { namespace: 'default', jobName: 'wordcount' };
const jobId = 'uid-1234-1';

let server: S3Server;
let directory: string;
let serverDirectory: string;

beforeAll(async () => {
  serverDirectory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
  server = await startS3Server({ directory: serverDirectory, buckets: [BUCKET] });
});

afterAll(async () => {
  await server?.stop();
  await rm(serverDirectory, { recursive: true, force: true });
});

let testNumber = 0;
const implementations: Array<[string, () => Promise<{ storage: ObjectStore; rootUri: string }>]> = [
  [
    'filesystem',
    async () => {
      const storage = await openObjectStore(directory);
      return { storage, rootUri: pathToFileURL(directory).href };
    },
  ],
  [
    's3',
    async () => {
      // Each test gets its own prefix in the shared bucket; tiny listing pages make every listing paginate.
      const rootUri = `s3://${BUCKET}/sluice/t${++testNumber}`;
      const storage = await openObjectStore(rootUri, { ...s3Connection(), partSize: 5 * 1024 * 1024, listPageSize: 2 });
      return { storage, rootUri };
    },
  ],
];

/** V8's own words for unparsable JSON, which vary between Node versions. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} is valid JSON`);
}

function s3Connection(): S3ConnectionOptions {
  return { endpoint: server.endpoint, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } };
}

function bytes(text: string): Buffer {
  return Buffer.from(text);
}

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error('expected a StorageError');
}

/** Writes a two-operator checkpoint: a keyed "window" operator (parallelism 2, maxParallelism 4) and a "source" with list state. */
async function writeCheckpoint(location: CheckpointStorageLocation, checkpointId: number, kind: 'checkpoint' | 'savepoint' = 'checkpoint'): Promise<CheckpointMetadata> {
  const window0 = await location.writeState('window', 0, bytes('g0g0g1'));
  const window1 = await location.writeState('window', 1, chunks('g2', 'g3g3g3'));
  const source = await location.writeState('source', 0, bytes(`offset=${checkpointId}`));
  const metadata: CheckpointMetadata = {
    version: 1,
    checkpointId,
    jobId,
    kind,
    timestamp: 1_700_000_000_000 + checkpointId,
    operators: {
      window: {
        parallelism: 2,
        maxParallelism: 4,
        subtasks: [
          { keyedState: { ...window0, keyGroupRange: { start: 0, end: 1 }, offsets: [0, 4, 6] } },
          { keyedState: { ...window1, keyGroupRange: { start: 2, end: 3 }, offsets: [0, 2, 8] } },
        ],
      },
      source: {
        parallelism: 1,
        maxParallelism: 4,
        subtasks: [{ operatorState: { ...source, states: { offsets: { mode: 'split', offsets: [0, source.size] } } } }],
      },
    },
  };
  await location.writeMetadata(metadata);
  return metadata;
}

const run = `default/wordcount/${jobId}/checkpoints`;

describe.each(implementations)('%s checkpoint storage', (_name, open) => {
  let storage: ObjectStore;
  let rootUri: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sluice-checkpoints-'));
    ({ storage, rootUri } = await open());
  });

  afterEach(async () => {
    await storage.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('writes, reads, overwrites and reads byte ranges', async () => {
    expect(await storage.write('a/b/file', bytes('hello world'))).toBe(11);
    expect(await storage.write('a/streamed', chunks('one ', 'two ', 'three'))).toBe(13);
    expect((await storage.read('a/b/file')).toString()).toBe('hello world');
    expect((await storage.read('a/streamed')).toString()).toBe('one two three');
    expect((await storage.readRange('a/b/file', 6, 5)).toString()).toBe('world');
    expect((await storage.readRange('a/b/file', 3, 0)).length).toBe(0);
    await storage.write('a/b/file', bytes('replaced'));
    expect((await storage.read('a/b/file')).toString()).toBe('replaced');
    expect(storage.uri).toBe(rootUri);
    expect(storage.uriOf('a/b/file')).toBe(`${rootUri}/a/b/file`);
  });

  it('stores empty state', async () => {
    expect(await storage.write('empty/buffer', Buffer.alloc(0))).toBe(0);
    expect(await storage.write('empty/stream', chunks())).toBe(0);
    expect((await storage.read('empty/buffer')).length).toBe(0);
    expect((await storage.read('empty/stream')).length).toBe(0);
    expect(await storage.list('empty')).toEqual([
      { path: 'empty/buffer', size: 0 },
      { path: 'empty/stream', size: 0 },
    ]);
  });

  it('leaves nothing behind when the producer of streamed state fails, and rethrows its error', async () => {
    const broken = new Error('snapshot failed in key group 17');
    async function* failing(): AsyncIterable<Uint8Array> {
      yield Buffer.alloc(6 * 1024 * 1024, 1);
      yield Buffer.alloc(1024, 2);
      throw broken;
    }
    await expect(storage.write('partial/state', failing())).rejects.toBe(broken);
    await storage.write('partial/other', bytes('fine'));
    expect(await storage.list('')).toEqual([{ path: 'partial/other', size: 4 }]);
  });

  it('stops a write when its signal aborts, rejecting with the reason and leaving nothing', async () => {
    const controller = new AbortController();
    const expired = new Error('checkpoint 7 expired');
    async function* abortedMidway(): AsyncIterable<Uint8Array> {
      // More than one part: S3 has a multipart upload under way when the abort comes.
      yield Buffer.alloc(6 * 1024 * 1024, 1);
      controller.abort(expired);
      yield Buffer.alloc(1024, 2);
    }
    await expect(storage.write('aborted/state', abortedMidway(), { signal: controller.signal })).rejects.toBe(expired);
    await expect(storage.write('aborted/late', bytes('too late'), { signal: controller.signal })).rejects.toBe(expired);
    expect(await storage.list('')).toEqual([]);
  });

  it('reports a missing file by its URI', async () => {
    const error = await failure(storage.read('no/such/file'));
    expect(error.reason).toBe('not-found');
    expect(error.message).toBe(`Checkpoint file "${rootUri}/no/such/file" does not exist`);
  });

  it('rejects paths that could leave the root', async () => {
    for (const path of ['../escape', 'a/../../b', '/absolute', 'a//b', 'a/./b']) {
      const error = await failure(storage.write(path, bytes('x')));
      expect(error.reason).toBe('invalid-path');
      expect(error.message).toBe(`Invalid checkpoint storage path "${path}": expected a relative path of non-empty segments without "." or ".."`);
    }
  });

  it('lists a directory recursively with sizes, not its look-alike siblings', async () => {
    await storage.write('chk-1/_metadata', bytes('m'));
    await storage.write('chk-1/op/0', bytes('state0'));
    await storage.write('chk-1/op/1', bytes('state-1'));
    await storage.write('chk-10/op/0', bytes('other'));
    expect(await storage.list('chk-1')).toEqual([
      { path: 'chk-1/_metadata', size: 1 },
      { path: 'chk-1/op/0', size: 6 },
      { path: 'chk-1/op/1', size: 7 },
    ]);
    expect((await storage.list('')).map((entry) => entry.path)).toEqual(['chk-1/_metadata', 'chk-1/op/0', 'chk-1/op/1', 'chk-10/op/0']);
    expect(await storage.list('missing')).toEqual([]);
  });

  it('deletes files and whole directories, and tolerates deleting what is gone', async () => {
    await storage.write('d/keep', bytes('k'));
    await storage.write('d/sub/x', bytes('x'));
    await storage.write('d/sub/deeper/y', bytes('y'));
    await storage.write('d/sub2/z', bytes('z'));
    await storage.delete('d/keep');
    await storage.deleteDirectory('d/sub');
    await storage.delete('d/keep');
    await storage.deleteDirectory('d/never');
    expect(await storage.list('')).toEqual([{ path: 'd/sub2/z', size: 1 }]);
  });

  it('stores a multipart-sized, odd-sized state file byte-identically', async () => {
    const size = 12 * 1024 * 1024 + 7;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 2654435761) >>> 24;
    async function* oddChunks(): AsyncIterable<Uint8Array> {
      for (let start = 0; start < size; start += 1_048_573) yield data.subarray(start, Math.min(size, start + 1_048_573));
    }
    expect(await storage.write('big/streamed', oddChunks())).toBe(size);
    expect(await storage.write('big/buffer', data)).toBe(size);
    expect((await storage.read('big/streamed')).equals(data)).toBe(true);
    expect((await storage.read('big/buffer')).equals(data)).toBe(true);
    expect((await storage.readRange('big/streamed', 5 * 1024 * 1024 - 3, 11)).equals(data.subarray(5 * 1024 * 1024 - 3, 5 * 1024 * 1024 + 8))).toBe(true);
    expect(await storage.list('big')).toEqual([
      { path: 'big/buffer', size },
      { path: 'big/streamed', size },
    ]);
  });

  it('lays out a checkpoint as DESIGN.md says, _metadata included', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    const location = store.location(7);
    expect(location.uri).toBe(`${rootUri}/${run}/chk-7`);
    await writeCheckpoint(location, 7);
    expect(await storage.list('')).toEqual([
      { path: `${run}/chk-7/_metadata`, size: expect.any(Number) },
      { path: `${run}/chk-7/source/0`, size: 8 },
      { path: `${run}/chk-7/window/0`, size: 6 },
      { path: `${run}/chk-7/window/1`, size: 8 },
    ]);
    // Operator ids from .uid() may hold any character; their path segment is URI-encoded.
    const odd = await location.writeState('my source/v2 (%)', 0, bytes('odd'));
    expect(odd).toEqual({ path: 'my%20source%2Fv2%20(%25)/0', size: 3 });
    expect((await storage.read(`${run}/chk-7/${odd.path}`)).toString()).toBe('odd');
    expect((await storage.list(`${run}/chk-7/my%20source%2Fv2%20(%25)`)).map((entry) => entry.path)).toEqual([`${run}/chk-7/my%20source%2Fv2%20(%25)/0`]);
    // As a URI, the path is encoded once more where the scheme decodes it (file:), so it names the same file.
    expect(storage.uriOf(`${run}/chk-7/${odd.path}`)).toBe(rootUri.startsWith('file:') ? `${rootUri}/${run}/chk-7/my%2520source%252Fv2%2520(%2525)/0` : `${rootUri}/${run}/chk-7/${odd.path}`);
  });

  it('refuses to complete a checkpoint whose state files are not all stored', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    const location = store.location(3);
    const state = await location.writeState('window', 0, bytes('abc'));
    await storage.delete(`${run}/chk-3/window/0`);
    await expect(
      location.writeMetadata({
        version: 1,
        checkpointId: 3,
        jobId,
        kind: 'checkpoint',
        timestamp: 1,
        operators: { window: { parallelism: 1, maxParallelism: 1, subtasks: [{ keyedState: { ...state, keyGroupRange: { start: 0, end: 0 }, offsets: [0, 3] } }] } },
      }),
    ).rejects.toThrow(`Cannot complete ${rootUri}/${run}/chk-3: state file "window/0" referenced by _metadata does not exist`);
    expect(await storage.list('')).toEqual([]);
  });

  it('finds the newest completed checkpoint by listing, ignoring a newer one in progress', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    await writeCheckpoint(store.location(1), 1);
    const second = await writeCheckpoint(store.location(2), 2);
    await store.location(3).writeState('window', 0, bytes('in progress'));
    expect(await store.nextCheckpointId()).toBe(4);
    const latest = await store.findLatest();
    expect(latest).toEqual({ checkpoint: { checkpointId: 2, uri: `${rootUri}/${run}/chk-2`, directory: `${run}/chk-2`, metadata: second }, skipped: [] });
    expect(await store.checkpoints()).toEqual([
      { checkpointId: 1, directory: `${run}/chk-1`, completed: true },
      { checkpointId: 2, directory: `${run}/chk-2`, completed: true },
      { checkpointId: 3, directory: `${run}/chk-3`, completed: false },
    ]);
  });

  it('finds nothing in an empty run, whose first checkpoint is 1', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    expect(await store.findLatest()).toEqual({ skipped: [] });
    expect(await store.nextCheckpointId()).toBe(1);
  });

  it('walks back past corrupted and partial checkpoints, with the reasons', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    const first = await writeCheckpoint(store.location(1), 1);
    for (const id of [2, 3, 4, 5]) await writeCheckpoint(store.location(id), id);
    await storage.write(`${run}/chk-2/_metadata`, bytes('{"version":1,"checkpointId":2}'));
    await storage.delete(`${run}/chk-3/window/1`);
    await storage.write(`${run}/chk-4/source/0`, bytes('offset=4 and more'));
    await storage.write(`${run}/chk-5/_metadata`, bytes('{"version":1,'));
    const latest = await store.findLatest();
    expect(latest.checkpoint?.checkpointId).toBe(1);
    expect(latest.checkpoint?.metadata).toEqual(first);
    expect(await store.nextCheckpointId()).toBe(6);
    expect(latest.skipped).toEqual([
      {
        checkpointId: 5,
        uri: `${rootUri}/${run}/chk-5`,
        reasons: [{ kind: 'metadata-invalid', message: `Checkpoint metadata is not JSON: ${jsonError('{"version":1,')}` }],
      },
      {
        checkpointId: 4,
        uri: `${rootUri}/${run}/chk-4`,
        reasons: [{ kind: 'file-size-mismatch', file: 'source/0', expectedSize: 8, actualSize: 17, message: 'state file "source/0" has 17 bytes, _metadata records 8' }],
      },
      {
        checkpointId: 3,
        uri: `${rootUri}/${run}/chk-3`,
        reasons: [{ kind: 'file-missing', file: 'window/1', message: 'state file "window/1" referenced by _metadata does not exist' }],
      },
      {
        checkpointId: 2,
        uri: `${rootUri}/${run}/chk-2`,
        reasons: [
          {
            kind: 'metadata-invalid',
            message: 'Invalid checkpoint metadata: document: missing property "jobId"; document: missing property "kind"; document: missing property "timestamp"; document: missing property "operators"',
          },
        ],
      },
    ]);
  });

  it('keeps the newest retained checkpoints and removes older and aborted ones', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId, { retained: 2 });
    for (const id of [1, 2, 3, 5]) await writeCheckpoint(store.location(id), id);
    await store.location(4).writeState('window', 0, bytes('aborted'));
    await store.location(6).writeState('window', 0, bytes('in progress'));
    expect(await store.applyRetention()).toEqual([1, 2, 4]);
    expect(await store.checkpoints()).toEqual([
      { checkpointId: 3, directory: `${run}/chk-3`, completed: true },
      { checkpointId: 5, directory: `${run}/chk-5`, completed: true },
      { checkpointId: 6, directory: `${run}/chk-6`, completed: false },
    ]);
    expect((await storage.list(`${run}/chk-3`)).length).toBe(4);
    expect(await store.applyRetention()).toEqual([]);
  });

  it('retains three completed checkpoints by default', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    for (const id of [1, 2, 3, 4]) await writeCheckpoint(store.location(id), id);
    expect(await store.applyRetention()).toEqual([1]);
    expect((await store.checkpoints()).map((checkpoint) => checkpoint.checkpointId)).toEqual([2, 3, 4]);
  });

  it('discards an aborted checkpoint directory', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    await writeCheckpoint(store.location(1), 1);
    await store.location(2).writeState('window', 0, bytes('partial'));
    await store.location(2).writeState('window', 1, bytes('partial'));
    await store.discard(2);
    expect(await store.checkpoints()).toEqual([{ checkpointId: 1, directory: `${run}/chk-1`, completed: true }]);
  });

  it('writes savepoints under the job name and loads one from its URI', async () => {
    const savepoints = new SavepointStore(storage, scope);
    const location = savepoints.location(1_732_540_000_123);
    expect(location.uri).toBe(`${rootUri}/default/wordcount/savepoints/sp-1732540000123`);
    const metadata = await writeCheckpoint(location, 9, 'savepoint');
    await savepoints.location(1_732_540_000_456).writeState('window', 0, bytes('unfinished'));
    expect(await savepoints.savepoints()).toEqual([
      { timestamp: 1_732_540_000_123, directory: 'default/wordcount/savepoints/sp-1732540000123', uri: location.uri, completed: true },
      { timestamp: 1_732_540_000_456, directory: 'default/wordcount/savepoints/sp-1732540000456', uri: `${rootUri}/default/wordcount/savepoints/sp-1732540000456`, completed: false },
    ]);

    // A new run is told only the savepoint's URI.
    const opened = await openCheckpointAt(location.uri, s3Connection());
    try {
      expect(opened.checkpoint).toEqual({ checkpointId: 9, uri: location.uri, directory: '', metadata });
      expect((await opened.storage.read('window/1')).toString()).toBe('g2g3g3g3');
    } finally {
      await opened.storage.close();
    }

    expect((await savepoints.newLocation(1_732_540_000_123)).uri).toBe(`${rootUri}/default/wordcount/savepoints/sp-1732540000124`);
    expect((await savepoints.newLocation(1_732_540_000_200)).uri).toBe(`${rootUri}/default/wordcount/savepoints/sp-1732540000200`);

    await savepoints.discard(1_732_540_000_123);
    expect((await savepoints.savepoints()).map((savepoint) => savepoint.timestamp)).toEqual([1_732_540_000_456]);
  });

  it('opens a checkpoint of a previous run by URI, refusing one whose _metadata belongs elsewhere', async () => {
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    const metadata = await writeCheckpoint(store.location(4), 4);
    for (const uri of [`${rootUri}/${run}/chk-4/`, `${rootUri}/${run}/chk-4/_metadata`]) {
      const opened = await openCheckpointAt(uri, s3Connection());
      await opened.storage.close();
      expect(opened.checkpoint).toEqual({ checkpointId: 4, uri: `${rootUri}/${run}/chk-4`, directory: '', metadata });
    }

    await storage.write(`${run}/chk-5/_metadata`, await storage.read(`${run}/chk-4/_metadata`));
    const error = await openCheckpointAt(`${rootUri}/${run}/chk-5`, s3Connection()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointVerificationError);
    expect((error as CheckpointVerificationError).message).toBe(
      `Cannot restore from ${rootUri}/${run}/chk-5: _metadata names checkpoint 4, but lies in the directory of checkpoint 5; ` +
        'state file "window/0" referenced by _metadata does not exist; state file "window/1" referenced by _metadata does not exist; ' +
        'state file "source/0" referenced by _metadata does not exist',
    );
    expect((error as CheckpointVerificationError).reasons.map((reason) => reason.kind)).toEqual(['checkpoint-id-mismatch', 'file-missing', 'file-missing', 'file-missing']);
  });

  it('restores subtask state written at parallelism 3 into parallelism 1 to 4', async () => {
    const maxParallelism = 8;
    const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();
    // Old subtask i holds key groups of its range with state (group 4 has none) and 2 - i source offsets.
    const snapshots: SubtaskSnapshot[] = [0, 1, 2].map((subtask) => {
      const range = keyGroupRangeFor(maxParallelism, 3, subtask);
      const groups = [];
      for (let group = range.start; group <= range.end; group++) if (group !== 4) groups.push({ keyGroup: group, bytes: bytes(`state of key group ${group}`) });
      return {
        keyGroupRange: range,
        keyGroups: groups,
        operatorState: [
          { name: 'offsets', entries: Array.from({ length: 2 - subtask }, (_, i) => bytes(`split ${subtask}.${i}`)) },
          { name: 'schema', mode: 'union', entries: [bytes(`union ${subtask}`)] },
        ],
      };
    });
    const store = new CompletedCheckpointStore(storage, scope, jobId);
    const location = store.location(1);
    const subtasks = await Promise.all(snapshots.map((snapshot, subtask) => writeSubtaskState(location, 'keyed-sum', subtask, snapshot)));
    await location.writeMetadata({ version: 1, checkpointId: 1, jobId, kind: 'checkpoint', timestamp: 1, operators: { 'keyed-sum': { parallelism: 3, maxParallelism, subtasks } } });

    const { checkpoint } = await store.findLatest();
    const snapshot = checkpoint!.metadata.operators['keyed-sum']!;
    const restoreAt = async (parallelism: number) =>
      Promise.all(
        Array.from({ length: parallelism }, async (_, subtask) => {
          const restored = await readSubtaskState(storage, checkpoint!.directory, snapshot, keyGroupRangeFor(maxParallelism, parallelism, subtask), parallelism, subtask);
          return {
            keyGroups: restored.keyGroups.map((group) => `${group.keyGroup}:${text(group.bytes)}`),
            operatorState: restored.operatorState.map((list) => [list.name, list.entries.map(text)]),
          };
        }),
      );
    const state = (group: number) => `${group}:state of key group ${group}`;
    const schema = ['schema', ['union 0', 'union 1', 'union 2']];
    expect(await restoreAt(3)).toEqual([
      { keyGroups: [state(0), state(1), state(2)], operatorState: [['offsets', ['split 0.0', 'split 0.1']], schema] },
      { keyGroups: [state(3), state(5)], operatorState: [['offsets', ['split 1.0']], schema] },
      { keyGroups: [state(6), state(7)], operatorState: [['offsets', []], schema] },
    ]);
    expect(await restoreAt(2)).toEqual([
      { keyGroups: [state(0), state(1), state(2), state(3)], operatorState: [['offsets', ['split 0.0', 'split 0.1']], schema] },
      { keyGroups: [state(5), state(6), state(7)], operatorState: [['offsets', ['split 1.0']], schema] },
    ]);
    expect(await restoreAt(1)).toEqual([
      { keyGroups: [0, 1, 2, 3, 5, 6, 7].map(state), operatorState: [['offsets', ['split 0.0', 'split 0.1', 'split 1.0']], schema] },
    ]);
    expect(await restoreAt(4)).toEqual([
      { keyGroups: [state(0), state(1)], operatorState: [['offsets', ['split 0.0']], schema] },
      { keyGroups: [state(2), state(3)], operatorState: [['offsets', ['split 0.1']], schema] },
      { keyGroups: [state(5)], operatorState: [['offsets', ['split 1.0']], schema] },
      { keyGroups: [state(6), state(7)], operatorState: [['offsets', []], schema] },
    ]);
  });

  it('refuses a savepoint URI without _metadata', async () => {
    const location = new SavepointStore(storage, scope).location(5);
    await location.writeState('window', 0, bytes('unfinished'));
    expect(await loadCheckpoint(storage, 'default/wordcount/savepoints/sp-5')).toEqual({
      ok: false,
      reasons: [{ kind: 'metadata-unreadable', message: `${rootUri}/default/wordcount/savepoints/sp-5 holds no _metadata: not a completed checkpoint or savepoint` }],
    });
  });
});
