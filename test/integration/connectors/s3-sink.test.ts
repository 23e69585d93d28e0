// The exactly-once S3 sink against a real S3-compatible server on loopback: what readers see before
// and after commit, restore, abort, commit retries, multipart parts, and configuration errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectStore } from '../../../runtime/fs/object-store.ts';
import { openObjectStore } from '../../../runtime/fs/open-object-store.ts';
import { S3Sink, type S3SinkOptions } from '../../../runtime/connectors/s3-sink.ts';
import type { SinkWriter } from '../../../runtime/connectors/sink.ts';
import { startS3Server, type S3Server } from '../../../sandbox/s3/server.ts';
import { committedS3Lines } from './s3-objects.ts';
import { waitUntil } from '../../support/processes.ts';

let server: S3Server;
let objects: string;
let bucket: ObjectStore;
const ctx = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, checkpointing: true };

beforeAll(async () => {
  objects = await mkdtemp(join(tmpdir(), 'sluice-s3-sink-'));
  server = await startS3Server({ directory: objects, buckets: ['out'] });
  bucket = await openObjectStore('s3://out', { endpoint: server.endpoint, credentials: credentials() });
});

afterAll(async () => {
  await bucket?.close();
  await server?.stop();
  await rm(objects, { recursive: true, force: true });
});

function credentials() {
  return { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
}

function sink(prefix: string, options: S3SinkOptions = {}): S3Sink<string> {
  return new S3Sink<string>(`s3://out/${prefix}`, { endpoint: server.endpoint, credentials: credentials(), ...options });
}

const keys = async (prefix: string) => (await bucket.list(prefix)).map((e) => e.path.slice(prefix.length + 1));
const write = (w: SinkWriter<string>, ...values: string[]) => values.forEach((v) => w.write(v, 0));

describe('S3 sink', () => {
  it('publishes a checkpoint interval only when its checkpoint completes; empty intervals write nothing', async () => {
    const w = sink('publish').createWriter(ctx, []);
    write(w, 'a', 'b');
    const first = w.snapshotState!(1);
    const empty = w.snapshotState!(2);
    write(w, 'c');
    const third = w.snapshotState!(3);
    await Promise.all([first.asyncPhase, empty.asyncPhase, third.asyncPhase]);
    expect((await keys('publish')).filter((k) => k.startsWith('part-'))).toEqual([]);
    expect(await keys('publish')).toHaveLength(2);
    expect((await keys('publish')).every((k) => k.startsWith('_inprogress/part-0-'))).toBe(true);
    expect(await committedS3Lines(bucket, 'publish')).toEqual([]);
    await w.notifyCheckpointComplete!(2);
    expect(await committedS3Lines(bucket, 'publish')).toEqual(['a', 'b']);
    await w.notifyCheckpointComplete!(3);
    w.close!();
    expect(await committedS3Lines(bucket, 'publish')).toEqual(['a', 'b', 'c']);
    const published = await keys('publish');
    expect(published).toHaveLength(2);
    expect(published.every((k) => /^part-0-[0-9a-f]{8}-\d+$/.test(k))).toBe(true);
  });

  it('commits restored transactions once, however often they are restored', async () => {
    const first = sink('restore').createWriter(ctx, []);
    write(first, 'x', 'y');
    const snapshot = first.snapshotState!(7);
    await snapshot.asyncPhase;
    write(first, 'after the checkpoint');
    // A crash: the completion notice never came. The restored writer commits at once.
    const second = sink('restore').createWriter(ctx, snapshot.state);
    await second.notifyCheckpointComplete!(8);
    expect(await committedS3Lines(bucket, 'restore')).toEqual(['x', 'y']);
    // Restored once more (another failure before the next checkpoint): nothing twice.
    const third = sink('restore').createWriter(ctx, snapshot.state);
    await third.notifyCheckpointComplete!(8);
    expect(await committedS3Lines(bucket, 'restore')).toEqual(['x', 'y']);
    for (const w of [first, second, third]) w.close!();
    await waitUntil(async () => (await keys('restore')).length === 1, 'only the published part');
  });

  it('publishes a restored transaction under the prefix it was written to, not the one the restored job was given', async () => {
    const first = sink('written').createWriter(ctx, []);
    write(first, 'p', 'q');
    const snapshot = first.snapshotState!(2);
    await snapshot.asyncPhase;
    first.close!();
    // The job started again with another output prefix: the old transaction commits in the old one, once.
    for (let i = 0; i < 2; i++) {
      const restored = sink('elsewhere').createWriter(ctx, snapshot.state);
      await restored.notifyCheckpointComplete!(3);
      restored.close!();
    }
    expect(await committedS3Lines(bucket, 'written')).toEqual(['p', 'q']);
    expect(await keys('elsewhere')).toEqual([]);
  });

  it('refuses to commit a restored transaction whose staged object and part are both gone, naming both', async () => {
    const lost = [{ checkpointId: 3, state: { staging: '_inprogress/part-0-lost-0', part: 'part-0-lost-0' } }];
    const w = sink('lost').createWriter(ctx, lost);
    // The commit at restore failed; the next notice retries it and reports why.
    await expect(w.notifyCheckpointComplete!(4)).rejects.toThrow(
      'cannot commit S3 part s3://out/lost/part-0-lost-0: neither it nor its staged object s3://out/lost/_inprogress/part-0-lost-0 exists',
    );
    expect(w.snapshotState!(5).state).toEqual([...lost, { checkpointId: 5, state: null }]);
    w.close!();
  });

  it('an aborted transaction leaves nothing behind, a pre-committed one that never commits nothing visible', async () => {
    const w = sink('abort').createWriter(ctx, []);
    write(w, 'pre-committed');
    await w.snapshotState!(1).asyncPhase;
    // More than a chunk, so the upload of the open transaction has started.
    for (let i = 0; i < 5000; i++) w.write(`open record ${i}`, 0);
    w.close!();
    await waitUntil(async () => (await keys('abort')).length === 1, 'the aborted upload removed');
    expect(await keys('abort')).toEqual([expect.stringMatching(/^_inprogress\/part-0-[0-9a-f]{8}-0$/)]);
    expect(await committedS3Lines(bucket, 'abort')).toEqual([]);
  });

  it('a commit that fails while S3 is down stays pending and is retried at the next notice, publishing once', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-sink-down-'));
    let own = await startS3Server({ directory, buckets: ['out'] });
    const reader = await openObjectStore('s3://out', { endpoint: own.endpoint, credentials: { accessKeyId: own.accessKeyId, secretAccessKey: own.secretAccessKey } });
    const options = { endpoint: own.endpoint, credentials: { accessKeyId: own.accessKeyId, secretAccessKey: own.secretAccessKey }, maxAttempts: 1, connectionTimeoutMs: 500 };
    const w = new S3Sink<string>('s3://out/retry', options).createWriter(ctx, []);
    try {
      write(w, 'one');
      await w.snapshotState!(1).asyncPhase;
      await own.stop();
      await expect(w.notifyCheckpointComplete!(1)).rejects.toThrow(`S3 endpoint ${own.endpoint} is unreachable (bucket "out"`);
      own = await startS3Server({ directory, buckets: ['out'], port: own.port, accessKeyId: own.accessKeyId, secretAccessKey: own.secretAccessKey });
      write(w, 'two');
      const second = w.snapshotState!(2);
      expect(second.state.map((p) => (p as { checkpointId: number }).checkpointId)).toEqual([1, 2]);
      await second.asyncPhase;
      await w.notifyCheckpointComplete!(2);
      expect(await committedS3Lines(reader, 'retry')).toEqual(['one', 'two']);
      expect((await reader.list('retry')).map((e) => e.path)).toHaveLength(2);
    } finally {
      w.close!();
      await reader.close();
      await own.stop();
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('writes a part larger than the multipart part size as one object, exactly', async () => {
    const w = sink('large', { partSize: 5 * 1024 * 1024 }).createWriter({ ...ctx, checkpointing: false }, []);
    const lines: string[] = [];
    // About 7 MiB: two multipart parts.
    for (let i = 0; i < 100_000; i++) lines.push(`record ${String(i).padStart(6, '0')} ${'x'.repeat(60)}`);
    write(w, ...lines);
    await w.finish!();
    w.close!();
    const published = await bucket.list('large');
    expect(published).toEqual([{ path: expect.stringMatching(/^large\/part-0-[0-9a-f]{8}-0$/), size: lines.join('\n').length + 1 }]);
    expect((await bucket.read(published[0]!.path)).toString()).toBe(`${lines.join('\n')}\n`);
  });

  it('records that outrun a stalled upload make the writer unavailable at its memory bound; it takes more once the upload catches up', async () => {
    // The file's server, stopped (SIGSTOP) and continued: it answers nothing meanwhile.
    const options = { endpoint: server.endpoint, credentials: credentials() };
    const partSize = 5 * 1024 * 1024;
    const maxBufferedBytes = 2 * 1024 * 1024;
    const w = new S3Sink<string>('s3://out/stalled', { ...options, partSize, queueSize: 1, maxBufferedBytes }).createWriter(ctx, []);
    const reader = await openObjectStore('s3://out', options);
    const line = (n: number) => `${String(n).padStart(8, '0')}${'y'.repeat(1015)}`;
    let written = 0;
    // Batches of 256 lines (256 KiB) while the writer has room, with event-loop turns between them, as a task writes.
    const writeWhileAvailable = async (limit: number) => {
      while (w.isAvailable!() && written < limit) {
        for (let i = 0; i < 256; i++) w.write(line(written++), 0);
        await new Promise((r) => setImmediate(r));
      }
    };
    process.kill(server.pid, 'SIGSTOP');
    try {
      await writeWhileAvailable(64 * 1024 * 1024 / 1024);
      // What waits: the part the upload holds in flight, the one being filled, and the bound.
      expect(w.isAvailable!()).toBe(false);
      expect(written * 1024).toBeLessThanOrEqual(2 * partSize + maxBufferedBytes + 256 * 1024);
      const room = w.availability!();
      process.kill(server.pid, 'SIGCONT');
      await room;
      const before = written;
      await writeWhileAvailable(before + 4096);
      expect(written).toBeGreaterThan(before);
      await w.snapshotState!(1).asyncPhase;
      await w.notifyCheckpointComplete!(1);
      expect(await committedS3Lines(reader, 'stalled')).toEqual(Array.from({ length: written }, (_, n) => line(n)));
    } finally {
      w.close!();
      process.kill(server.pid, 'SIGCONT');
      await reader.close();
    }
  }, 60_000);

  it('a missing bucket or wrong credentials fail the checkpoint and then the writer, naming bucket and endpoint', async () => {
    const missing = new S3Sink<string>('s3://no-such-bucket/x', { endpoint: server.endpoint, credentials: credentials() }).createWriter(ctx, []);
    write(missing, 'r');
    const message = `S3 bucket "no-such-bucket" at ${server.endpoint}: bucket does not exist`;
    await expect(missing.snapshotState!(1).asyncPhase).rejects.toThrow(message);
    expect(() => missing.write('s', 0)).toThrow(message);
    missing.close!();

    const denied = sink('denied', { credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong' } }).createWriter(ctx, []);
    write(denied, 'r');
    await expect(denied.snapshotState!(1).asyncPhase).rejects.toThrow(`S3 bucket "out" at ${server.endpoint}: access denied (check credentials)`);
    denied.close!();
  });

  it('refuses a URI that is not s3://bucket/prefix', () => {
    expect(() => new S3Sink('/tmp/out')).toThrow('S3Sink: "/tmp/out" is not an s3://bucket/prefix URI');
    expect(() => new S3Sink('s3://No_Bucket/x')).toThrow('S3Sink: invalid URI "s3://No_Bucket/x"');
  });
});
