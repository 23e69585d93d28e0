// S3-only behaviour against a real S3-compatible server: where credentials come from, multipart
// uploads, and the errors for wrong credentials, a missing bucket and an endpoint that is down.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../../../sandbox/s3/server.ts';
import { StorageError } from '../../../runtime/fs/storage-error.ts';
import { openObjectStore, openConfiguredStorage, type S3ConnectionOptions } from '../../../runtime/fs/open-object-store.ts';

let server: S3Server;
const temporary: string[] = [];

beforeAll(async () => {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
  temporary.push(directory);
  server = await startS3Server({ directory, buckets: ['checkpoints'], accessKeyId: 'minio-user', secretAccessKey: 'minio-password' });
});

afterAll(async () => {
  await server?.stop();
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function secretDirectory(files: Record<string, string>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'sluice-secret-'));
  temporary.push(directory);
  for (const [name, value] of Object.entries(files)) await writeFile(join(directory, name), value);
  return directory;
}

async function roundTrip(uri: string, options: S3ConnectionOptions): Promise<string> {
  const storage = await openObjectStore(uri, options);
  try {
    await storage.write('probe', Buffer.from('ok'));
    return (await storage.read('probe')).toString();
  } finally {
    await storage.close();
  }
}

async function storageFailure(uri: string, options: S3ConnectionOptions): Promise<StorageError> {
  const storage = await openObjectStore(uri, options);
  try {
    await storage.list('');
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  } finally {
    await storage.close();
  }
  throw new Error('expected listing to fail');
}

describe('S3 checkpoint storage', () => {
  it('reads credentials from a mounted Secret directory, trimming trailing newlines', async () => {
    const credentialsDirectory = await secretDirectory({ accessKeyId: 'minio-user\n', secretAccessKey: 'minio-password\n' });
    expect(await roundTrip('s3://checkpoints/secret-dir', { endpoint: server.endpoint, credentialsDirectory, env: {} })).toBe('ok');
  });

  it('accepts the AWS variable names as Secret keys and finds the directory through SLUICE_S3_CREDENTIALS_DIR', async () => {
    const directory = await secretDirectory({ AWS_ACCESS_KEY_ID: 'minio-user', AWS_SECRET_ACCESS_KEY: 'minio-password' });
    expect(await roundTrip('s3://checkpoints/secret-env', { env: { SLUICE_S3_CREDENTIALS_DIR: directory, AWS_ENDPOINT_URL_S3: server.endpoint } })).toBe('ok');
  });

  it('opens the storage a process configuration names', async () => {
    const credentialsDirectory = await secretDirectory({ AWS_ACCESS_KEY_ID: 'minio-user', AWS_SECRET_ACCESS_KEY: 'minio-password' });
    const storage = await openConfiguredStorage({ s3: { bucket: 'checkpoints', prefix: '/from-config/', endpoint: server.endpoint, credentialsDirectory } });
    try {
      expect(storage.uri).toBe('s3://checkpoints/from-config');
      await storage.write('probe', Buffer.from('configured'));
      expect((await storage.read('probe')).toString()).toBe('configured');
    } finally {
      await storage.close();
    }
  });

  it('takes credentials, endpoint and region from the standard AWS environment variables', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'minio-user', AWS_SECRET_ACCESS_KEY: 'minio-password', AWS_ENDPOINT_URL: server.endpoint, AWS_REGION: 'eu-west-1' };
    expect(await roundTrip('s3://checkpoints/env', { env })).toBe('ok');
  });

  it('names the missing keys of an incomplete Secret directory', async () => {
    const credentialsDirectory = await secretDirectory({ accessKeyId: 'minio-user' });
    await expect(openObjectStore('s3://checkpoints', { endpoint: server.endpoint, credentialsDirectory })).rejects.toThrow(
      `S3 credentials directory ${credentialsDirectory} lacks secretAccessKey (or AWS_SECRET_ACCESS_KEY)`,
    );
  });

  it('says how to provide credentials when there are none', async () => {
    await expect(openObjectStore('s3://checkpoints', { endpoint: server.endpoint, env: {} })).rejects.toThrow(
      'No S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or mount a Secret with the keys accessKeyId and secretAccessKey and set SLUICE_S3_CREDENTIALS_DIR to its directory',
    );
  });

  it('uploads large state in parts', async () => {
    const proxy = await recordingProxy(server.port);
    const storage = await openObjectStore('s3://checkpoints/multipart', {
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'minio-user', secretAccessKey: 'minio-password' },
      partSize: 5 * 1024 * 1024,
      queueSize: 1,
    });
    const data = Buffer.alloc(11 * 1024 * 1024 + 1);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    try {
      await storage.write('state', data);
      expect((await storage.read('state')).equals(data)).toBe(true);
    } finally {
      await storage.close();
      await proxy.close();
    }
    expect(proxy.requests.map((line) => line.replace(/uploadId=[^&\s]+/, 'uploadId=ID'))).toEqual([
      'POST /checkpoints/multipart/state?uploads= → 200',
      'PUT /checkpoints/multipart/state?partNumber=1&uploadId=ID&x-id=UploadPart → 200',
      'PUT /checkpoints/multipart/state?partNumber=2&uploadId=ID&x-id=UploadPart → 200',
      'PUT /checkpoints/multipart/state?partNumber=3&uploadId=ID&x-id=UploadPart → 200',
      'POST /checkpoints/multipart/state?uploadId=ID → 200',
      'GET /checkpoints/multipart/state?x-id=GetObject → 200',
    ]);
  });

  it('aborts the multipart upload on the server when a write is aborted', async () => {
    const proxy = await recordingProxy(server.port);
    const storage = await openObjectStore('s3://checkpoints/abort', {
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'minio-user', secretAccessKey: 'minio-password' },
      partSize: 5 * 1024 * 1024,
    });
    const controller = new AbortController();
    const until = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 10_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; requests: ${proxy.requests.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    async function* abortedMidway(): AsyncIterable<Uint8Array> {
      yield Buffer.alloc(6 * 1024 * 1024, 1);
      yield Buffer.alloc(6 * 1024 * 1024, 1);
      // Abort once the multipart upload exists on the server.
      await until(() => proxy.requests.some((line) => line.startsWith('PUT')), 'a part upload');
      controller.abort(new Error('expired'));
      yield Buffer.alloc(1024, 2);
    }
    try {
      await expect(storage.write('state', abortedMidway(), { signal: controller.signal })).rejects.toThrow('expired');
      await until(() => proxy.requests.some((line) => line.startsWith('DELETE')), 'AbortMultipartUpload');
      expect(await storage.list('')).toEqual([]);
    } finally {
      await storage.close();
      await proxy.close();
    }
    expect(proxy.requests.filter((line) => !line.startsWith('PUT')).map((line) => line.replace(/uploadId=[^&\s]+/, 'uploadId=ID'))).toEqual([
      'POST /checkpoints/abort/state?uploads= → 200',
      'DELETE /checkpoints/abort/state?uploadId=ID&x-id=AbortMultipartUpload → 204',
      'GET /checkpoints/?list-type=2&max-keys=1000&prefix=abort%2F → 200',
    ]);
  });

  it('lists and deletes directories page by page', async () => {
    const proxy = await recordingProxy(server.port);
    const storage = await openObjectStore('s3://checkpoints/pages', {
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'minio-user', secretAccessKey: 'minio-password' },
      listPageSize: 2,
    });
    try {
      const paths = ['chk-1/a', 'chk-1/b', 'chk-1/c', 'chk-1/d/e'];
      for (const path of [...paths, 'chk-2/_metadata']) await storage.write(path, Buffer.from('x'));
      proxy.requests.length = 0;
      expect((await storage.list('chk-1')).map((entry) => entry.path)).toEqual(paths);
      await storage.deleteDirectory('chk-1');
      expect(await storage.list('')).toEqual([{ path: 'chk-2/_metadata', size: 1 }]);
    } finally {
      await storage.close();
      await proxy.close();
    }
    expect(proxy.requests.map((line) => line.replace(/continuation-token=[^&\s]+/, 'continuation-token=T'))).toEqual([
      'GET /checkpoints/?list-type=2&max-keys=2&prefix=pages%2Fchk-1%2F → 200',
      'GET /checkpoints/?continuation-token=T&list-type=2&max-keys=2&prefix=pages%2Fchk-1%2F → 200',
      'GET /checkpoints/?list-type=2&max-keys=2&prefix=pages%2Fchk-1%2F → 200',
      'POST /checkpoints/?delete= → 200',
      'GET /checkpoints/?continuation-token=T&list-type=2&max-keys=2&prefix=pages%2Fchk-1%2F → 200',
      'POST /checkpoints/?delete= → 200',
      'GET /checkpoints/?list-type=2&max-keys=2&prefix=pages%2F → 200',
    ]);
  });

  it('sends DeleteObjects with Content-MD5 of its body, as strict S3 servers require', async () => {
    const proxy = await recordingProxy(server.port);
    const storage = await openObjectStore('s3://checkpoints/md5', {
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'minio-user', secretAccessKey: 'minio-password' },
    });
    try {
      for (const path of ['chk-1/_metadata', 'chk-1/op/0']) await storage.write(path, Buffer.from('x'));
      await storage.deleteDirectory('chk-1');
      expect(await storage.list('')).toEqual([]);
    } finally {
      await storage.close();
      await proxy.close();
    }
    expect(proxy.deletes).toHaveLength(1);
    const [{ headers, body, status }] = proxy.deletes as [DeleteObjectsRequest];
    expect(status).toBe(200);
    expect(body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>md5/chk-1/_metadata</Key></Object><Object><Key>md5/chk-1/op/0</Key></Object><Quiet>true</Quiet></Delete>',
    );
    expect(headers['content-md5']).toBe(createHash('md5').update(body).digest('base64'));
    // The SDK's own checksum stays (CRC32, big-endian, base64), and both are signed.
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    expect([headers['x-amz-sdk-checksum-algorithm'], headers['x-amz-checksum-crc32']]).toEqual(['CRC32', crc.toString('base64')]);
    expect(Object.keys(headers).sort()).toEqual([
      'amz-sdk-invocation-id',
      'amz-sdk-request',
      'authorization',
      'connection',
      'content-length',
      'content-md5',
      'content-type',
      'host',
      'user-agent',
      'x-amz-checksum-crc32',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-sdk-checksum-algorithm',
      'x-amz-user-agent',
    ]);
    expect(/SignedHeaders=([^,]+)/.exec(String(headers.authorization))?.[1]?.split(';')).toEqual([
      'amz-sdk-invocation-id',
      'amz-sdk-request',
      'content-length',
      'content-md5',
      'content-type',
      'host',
      'x-amz-checksum-crc32',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-sdk-checksum-algorithm',
      'x-amz-user-agent',
    ]);
  });

  it('reports a wrong secret as access denied, naming bucket and endpoint', async () => {
    const error = await storageFailure('s3://checkpoints', { endpoint: server.endpoint, credentials: { accessKeyId: 'minio-user', secretAccessKey: 'wrong' } });
    expect(error.reason).toBe('access-denied');
    expect(error.message).toBe(`S3 bucket "checkpoints" at ${server.endpoint}: access denied (check credentials)`);
  });

  it('reports an unknown access key as access denied', async () => {
    const error = await storageFailure('s3://checkpoints', { endpoint: server.endpoint, credentials: { accessKeyId: 'nobody', secretAccessKey: 'minio-password' } });
    expect(error.message).toBe(`S3 bucket "checkpoints" at ${server.endpoint}: access denied (check credentials)`);
  });

  it('reports a missing bucket', async () => {
    const error = await storageFailure('s3://no-such-bucket/prefix', { endpoint: server.endpoint, credentials: { accessKeyId: 'minio-user', secretAccessKey: 'minio-password' } });
    expect(error.reason).toBe('no-such-bucket');
    expect(error.message).toBe(`S3 bucket "no-such-bucket" at ${server.endpoint}: bucket does not exist`);
  });

  it('gives up on a refused endpoint after the configured attempts', async () => {
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const error = await storageFailure('s3://checkpoints', { endpoint, maxAttempts: 2, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(error.reason).toBe('unreachable');
    expect(error.message).toBe(`S3 endpoint ${endpoint} is unreachable (bucket "checkpoints", ECONNREFUSED, 2 attempts)`);
  });

  it('times out on an endpoint that accepts connections but never answers', async () => {
    const { server: silent, sockets } = await silentServer();
    try {
      const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const error = await storageFailure('s3://checkpoints', { endpoint, maxAttempts: 2, requestTimeoutMs: 300, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      expect(error.reason).toBe('timeout');
      expect(error.message).toBe(`S3 endpoint ${endpoint} did not answer within 300 ms (bucket "checkpoints", 2 attempts)`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('fails while the S3 server is down and works again, with the same storage, once it is back', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
    temporary.push(directory);
    let outage = await startS3Server({ directory, buckets: ['checkpoints'] });
    const storage = await openObjectStore('s3://checkpoints/outage', {
      endpoint: outage.endpoint,
      maxAttempts: 2,
      credentials: { accessKeyId: outage.accessKeyId, secretAccessKey: outage.secretAccessKey },
    });
    try {
      await storage.write('chk-1/_metadata', Buffer.from('one'));
      await outage.stop();
      const down = await storage.write('chk-2/_metadata', Buffer.from('two')).catch((error: unknown) => error as StorageError);
      expect(down).toBeInstanceOf(StorageError);
      expect((down as StorageError).message).toBe(`S3 endpoint ${outage.endpoint} is unreachable (bucket "checkpoints", ECONNREFUSED, 2 attempts)`);

      outage = await startS3Server({ directory, buckets: ['checkpoints'], port: outage.port, accessKeyId: outage.accessKeyId, secretAccessKey: outage.secretAccessKey });
      await storage.write('chk-3/_metadata', Buffer.from('three'));
      expect((await storage.list('')).map((entry) => entry.path)).toEqual(['chk-1/_metadata', 'chk-3/_metadata']);
    } finally {
      await storage.close();
      await outage.stop();
    }
  });

  it('gives up on a response body that stalls', async () => {
    const stalling = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100', 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(10));
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(stalling.address() as { port: number }).port}`;
    const storage = await openObjectStore('s3://checkpoints', { endpoint, maxAttempts: 1, requestTimeoutMs: 300, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const error = await storage.read('chk-1/_metadata').catch((e: unknown) => e as StorageError);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toBe(`S3 endpoint ${endpoint} stalled: no data for 600 ms (bucket "checkpoints", 1 attempt)`);
    } finally {
      await storage.close();
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });

  it('does not mistake a web server that is not S3 for a missing object', async () => {
    const web = createHttpServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><body>Not here</body></html>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(web.address() as { port: number }).port}`;
      const error = await storageFailure('s3://checkpoints', { endpoint, maxAttempts: 1, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      expect(error.reason).toBe('io');
      expect(error.message).toBe(`S3 bucket "checkpoints" at ${endpoint}: list failed with HTTP 404 and no S3 error document (is it an S3 endpoint?)`);
    } finally {
      web.closeAllConnections();
      await new Promise((resolve) => web.close(resolve));
    }
  });

  it('rejects an endpoint that is not an http(s) URL', async () => {
    await expect(openObjectStore('s3://checkpoints', { endpoint: 'minio:9000', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } })).rejects.toThrow(
      'Invalid S3 endpoint "minio:9000" for bucket "checkpoints": expected http://host:port or https://host',
    );
  });
});

/**
 * Forwards HTTP to the S3 server on `port`, recording each request the storage made (retries
 * included) with the server's answer: `METHOD target → status`; DeleteObjects requests also with
 * their headers and body.
 */
async function recordingProxy(port: number): Promise<{ endpoint: string; requests: string[]; deletes: DeleteObjectsRequest[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const deletes: DeleteObjectsRequest[] = [];
  const proxy = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    if (req.method === 'POST' && /[?&]delete=/.test(req.url ?? '')) req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      requests.push(`${req.method} ${req.url} → ${answer.statusCode}`);
      if (chunks.length > 0) deletes.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), status: answer.statusCode! });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => res.destroy(error));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    requests,
    deletes,
    close: () => {
      proxy.closeAllConnections();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}

interface DeleteObjectsRequest {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** A port nobody listens on: bound, noted, released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function silentServer(): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, sockets };
}
