import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../../../sandbox/s3/server.ts';

const running: S3Server[] = [];
const directories: string[] = [];
/** One server for the tests that only talk to it; the others start their own. */
let shared: S3Server;
let sharedDirectory: string;

beforeAll(async () => {
  sharedDirectory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
  shared = await startS3Server({ directory: sharedDirectory, buckets: ['data'], accessKeyId: 'test-key', secretAccessKey: 'test-secret' });
});

afterAll(async () => {
  await shared?.stop();
  await rm(sharedDirectory, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop()));
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function start(options: { port?: number; directory?: string } = {}): Promise<S3Server> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'sluice-s3-')));
  if (!options.directory) directories.push(directory);
  const server = await startS3Server({ directory, buckets: ['data'], accessKeyId: 'test-key', secretAccessKey: 'test-secret', port: options.port });
  running.push(server);
  return server;
}

function client(server: S3Server, accessKeyId = server.accessKeyId, secretAccessKey = server.secretAccessKey): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the request to fail');
}

describe('sandbox S3 server', () => {
  it('listens on an ephemeral loopback port with the given credentials', async () => {
    const server = shared;
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect([server.accessKeyId, server.secretAccessKey]).toEqual(['test-key', 'test-secret']);
  });

  it('pages ListObjectsV2 with continuation tokens', async () => {
    const server = shared;
    const s3 = client(server);
    const keys = ['a/1', 'a/2', 'a/3', 'a/4', 'a/5', 'b/1'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: 'data', Key: key, Body: key }));
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'a/', MaxKeys: 2, ContinuationToken: token }));
      pages.push((page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toEqual([['a/1', 'a/2'], ['a/3', 'a/4'], ['a/5']]);
  });

  it('fails to start, with the reason, when its port is taken', async () => {
    const first = await start();
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    directories.push(directory);
    await expect(startS3Server({ directory, port: first.port })).rejects.toThrow(
      `S3 server on 127.0.0.1:${first.port} did not start: process exited (code 1)\n` +
        `S3 server could not listen on 127.0.0.1:${first.port}: listen EADDRINUSE: address already in use 127.0.0.1:${first.port}`,
    );
  });

  it('rejects a wrong secret, an unknown key and anonymous requests', async () => {
    const server = shared;
    const list = new ListObjectsV2Command({ Bucket: 'data' });
    expect(await failure(client(server, 'test-key', 'wrong').send(list))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(await failure(client(server, 'other-key', 'test-secret').send(list))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
    const anonymous = await fetch(`${server.endpoint}/data?list-type=2`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('answers malformed requests with an error and keeps serving', async () => {
    const server = shared;
    const answers = await Promise.all([
      fetch(`${server.endpoint}/data?list-type=2&prefix=%E0%A4%A`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test-key/20261125/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64) } }),
      fetch(`${server.endpoint}/data`, { headers: { authorization: 'AWS test-key:signature' } }),
      fetch(`${server.endpoint}/data`, { headers: { authorization: 'AWS4-HMAC-SHA256 garbage' } }),
    ]);
    expect(await Promise.all(answers.map(async (answer) => [answer.status, /<Code>(\w+)<\/Code>/.exec(await answer.text())?.[1]]))).toEqual([
      [403, 'SignatureDoesNotMatch'],
      [403, 'AccessDenied'],
      [403, 'AccessDenied'],
    ]);
    await client(server).send(new PutObjectCommand({ Bucket: 'data', Key: 'after', Body: 'still serving' }));
  });

  it('frees its port on stop and keeps the data of its directory across a restart', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    directories.push(directory);
    const first = await start({ directory });
    await client(first).send(new PutObjectCommand({ Bucket: 'data', Key: 'kept', Body: 'still here' }));
    await first.stop();
    await expect(fetch(first.endpoint)).rejects.toThrow('fetch failed');

    const second = await start({ directory, port: first.port });
    const object = await client(second).send(new GetObjectCommand({ Bucket: 'data', Key: 'kept' }));
    expect(await object.Body?.transformToString()).toBe('still here');
  });

  it('exits when the process that started it is killed', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    directories.push(directory);
    const starter = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./fixtures/start-s3-server.ts', import.meta.url)), directory], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: starter.stdout! }), 'line')) as [string];
      const { endpoint, pid } = JSON.parse(line) as { endpoint: string; pid: number };
      expect((await fetch(`${endpoint}/checkpoints`)).status).toBe(403);

      starter.kill('SIGKILL');
      const deadline = Date.now() + 10_000;
      while (isAlive(pid)) {
        if (Date.now() > deadline) {
          process.kill(pid, 'SIGKILL');
          throw new Error(`S3 server process ${pid} outlived its starter`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await expect(fetch(endpoint)).rejects.toThrow('fetch failed');
    } finally {
      starter.kill('SIGKILL');
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
