import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_DIR } from '../../../sandbox/binaries/binaries.ts';
import { freePort } from '../../support/free-port.ts';
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

async function start(options: { port?: number; directory?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): Promise<S3Server> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'sluice-s3-')));
  if (!options.directory) directories.push(directory);
  const server = await startS3Server({ directory, buckets: ['data'], ...options.credentials, port: options.port });
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

describe('sandbox S3 server (MinIO)', () => {
  it('is the pinned MinIO build', () => {
    const version = execFileSync(join(BIN_DIR, 'minio'), ['--version'], { encoding: 'utf8' });
    expect(version.split('\n')[0]).toBe('minio version DEVELOPMENT.2026-02-12T20-18-48Z (commit-id=7aac2a2c5b7c)');
  });

  it('listens on a free loopback port with the given credentials', async () => {
    const server = shared;
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect([server.accessKeyId, server.secretAccessKey]).toEqual(['test-key', 'test-secret']);
  });

  it('listens on loopback only, with no web console, and connects nowhere else', async () => {
    const server = shared;
    await client(server).send(new PutObjectCommand({ Bucket: 'data', Key: 'probe', Body: 'x' }));
    const sockets = tcpSocketsOf(server.pid);
    // MinIO adds the machine's loopback addresses on the same port (for its own console); no other port.
    expect(sockets.filter((s) => s.listening).map((s) => s.local).sort()).toEqual([`127.0.0.1:${server.port}`, `[::1]:${server.port}`]);
    expect(sockets.filter((s) => !s.listening && !isLoopback(s.remote))).toEqual([]);
  });

  it('makes up new root credentials at each start unless given some', async () => {
    const [first, second] = [await start(), await start()];
    expect(first.accessKeyId).toMatch(/^sluice-[0-9a-f]{12}$/);
    expect(first.secretAccessKey).toHaveLength(32);
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.secretAccessKey).not.toBe(first.secretAccessKey);
    await client(first).send(new PutObjectCommand({ Bucket: 'data', Key: 'mine', Body: 'x' }));
    expect(await failure(client(second, first.accessKeyId, first.secretAccessKey).send(new ListObjectsV2Command({ Bucket: 'data' })))).toEqual({ name: 'InvalidAccessKeyId', status: 403 });
  });

  it('refuses a bucket name that S3 does not allow, naming it, and leaves no server behind', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    directories.push(directory);
    const { port } = shared;
    const error = await startS3Server({ directory, buckets: ['ok-bucket', 'a'] }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/^cannot create bucket "a" at http:\/\/127\.0\.0\.1:\d+: InvalidBucketName: The specified bucket is not valid\.$/);
    const endpoint = /at (http:\S+):/.exec((error as Error).message)![1]!;
    expect(endpoint).not.toBe(`http://127.0.0.1:${port}`);
    await expect(fetch(`${endpoint}/minio/health/live`)).rejects.toThrow('fetch failed');
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

  it('has its buckets from its first answer on, also on a port that clients are already trying', async () => {
    const port = await freePort();
    const credentials = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };
    const waiting = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials });
    // A client that lists the bucket until it succeeds, noting every answer (a refused connection is none).
    const answers = (async () => {
      const seen: string[] = [];
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          await waiting.send(new ListObjectsV2Command({ Bucket: 'data' }));
          return [...seen, 'listed'];
        } catch (error) {
          const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status !== undefined && seen.at(-1) !== `${status} ${(error as Error).name}`) seen.push(`${status} ${(error as Error).name}`);
        }
      }
      return [...seen, 'no answer in 30 s'];
    })();
    try {
      await start({ port, credentials });
      // MinIO may answer "not initialized" (503, which clients retry) while it starts; never NoSuchBucket.
      expect((await answers).filter((answer) => answer !== '503 XMinioServerNotInitialized')).toEqual(['listed']);
    } finally {
      waiting.destroy();
    }
  });

  it('fails to start, with the reason, when its port is taken', async () => {
    const first = await start();
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    directories.push(directory);
    await expect(startS3Server({ directory, port: first.port })).rejects.toThrow(
      `MinIO on 127.0.0.1:${first.port} did not start: process exited (code 1)\n` +
        'FATAL Unable to start the server: Specified port is already in use\n' +
        '      > Please ensure no other program uses the same address/port',
    );
    // The first server still answers, alone, on its port.
    await client(first).send(new ListObjectsV2Command({ Bucket: 'data' }));
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
    const error = (text: string) => [/<Code>(\w+)<\/Code>/.exec(text)?.[1], /<Message>([^<]*)<\/Message>/.exec(text)?.[1]];
    expect(await Promise.all(answers.map(async (answer) => [answer.status, ...error(await answer.text())]))).toEqual([
      [400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.'],
      [400, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header'],
      [400, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header'],
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

    // The bucket exists already: the start keeps it, with its objects.
    const second = await start({ directory, port: first.port, credentials: first });
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
          throw new Error(`MinIO process ${pid} outlived its starter`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await expect(fetch(endpoint)).rejects.toThrow('fetch failed');
    } finally {
      starter.kill('SIGKILL');
    }
  });
});

interface TcpSocket {
  local: string;
  remote: string;
  listening: boolean;
}

/** The TCP sockets a process holds, from /proc: its socket inodes matched in the kernel's tables. */
function tcpSocketsOf(pid: number): TcpSocket[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1])
      .filter((inode) => inode !== undefined),
  );
  const sockets: TcpSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const row of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const [, local, remote, state, , , , , , inode] = row.trim().split(/\s+/);
      if (inodes.has(inode!)) sockets.push({ local: address(local!), remote: address(remote!), listening: state === '0A' });
    }
  }
  return sockets;
}

/** `0100007F:1F90` → `127.0.0.1:8080`; IPv6 comes as four little-endian words (`[::1]:8080`, IPv4-mapped as IPv4). */
function address(hexAddress: string): string {
  const [hex, port] = hexAddress.split(':') as [string, string];
  const bytes = (word: string) => Buffer.from(word, 'hex').reverse();
  if (hex.length === 8) return `${[...bytes(hex)].join('.')}:${parseInt(port, 16)}`;
  const raw = Buffer.concat(hex.match(/.{8}/g)!.map(bytes));
  if (raw.subarray(0, 12).equals(Buffer.from('00000000000000000000ffff', 'hex'))) return `${[...raw.subarray(12)].join('.')}:${parseInt(port, 16)}`;
  const text = raw.equals(Buffer.from('00000000000000000000000000000001', 'hex')) ? '::1' : Array.from({ length: 8 }, (_, i) => raw.readUInt16BE(i * 2).toString(16)).join(':');
  return `[${text}]:${parseInt(port, 16)}`;
}

function isLoopback(hostPort: string): boolean {
  return hostPort.startsWith('127.') || hostPort.startsWith('[::1]:');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
