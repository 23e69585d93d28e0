// An S3 server on loopback for tests, benchmarks and local runs: MinIO, built from source
// (sandbox/binaries), in its own process. MinIO is AGPL-3.0 and is only ever run as a program.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureBinaries } from '../binaries/binaries.ts';
import { MINIO_OFFLINE_ENV, MINIO_ROOT_PASSWORD, MINIO_ROOT_USER, minioServerArgs } from './minio-container.ts';

export interface S3ServerOptions {
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Where objects are kept (in `directory/data`); reusing it after a restart keeps the data. */
  directory: string;
  /** Buckets created at start (through the S3 API). */
  buckets?: string[];
  /** Root credentials; random per start when not given. A restart on the same directory needs the same ones. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** How long to wait for the server to be ready; default 30 s. */
  startTimeoutMs?: number;
  /** Progress lines of a first build of MinIO (default: stderr). */
  log?: (line: string) => void;
}

export interface S3Server {
  endpoint: string;
  host: string;
  port: number;
  /** The MinIO process, for fault injection (SIGKILL it to make S3 unreachable). */
  pid: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and waits until its process has exited. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const READY_POLL_MS = 50;
/** How many free ports to try when the one found is taken before MinIO binds it. */
const PORT_ATTEMPTS = 3;

/**
 * Starts MinIO on `host:port` with its objects under `directory`, waits until it answers
 * `/minio/health/ready`, creates `buckets` (on a given port: before it serves there), and returns
 * its endpoint and credentials. A failed start
 * rejects with MinIO's last output lines (e.g. the port is taken). The MinIO process dies with the
 * process that started it, even when that one is killed (the kernel's parent-death signal).
 */
export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const { minio } = await ensureBinaries(['minio'], options.log ? { log: options.log } : {});
  const host = options.host ?? '127.0.0.1';
  const credentials = {
    accessKeyId: options.accessKeyId ?? `sluice-${randomBytes(6).toString('hex')}`,
    secretAccessKey: options.secretAccessKey ?? randomBytes(24).toString('base64url'),
  };
  const buckets = options.buckets ?? [];
  if (options.port && buckets.length > 0) {
    // Clients may be waiting for this port (S3 restarting, or coming up late): as on a real S3, the
    // buckets must be there from MinIO's first answer on, never a NoSuchBucket in between. So they
    // are created by a first run of MinIO on a port of its own, then MinIO starts where it is asked.
    const setup = await startOnFreePort(minio!, { ...options, host }, credentials);
    await setup.stop();
    return startMinio(minio!, { ...options, host, port: options.port, buckets: [] }, credentials);
  }
  return options.port ? startMinio(minio!, { ...options, host, port: options.port }, credentials) : startOnFreePort(minio!, { ...options, host }, credentials);
}

async function startOnFreePort(binary: string, options: S3ServerOptions & { host: string }, credentials: { accessKeyId: string; secretAccessKey: string }): Promise<S3Server> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMinio(binary, { ...options, port: await freePort(options.host) }, credentials);
    } catch (error) {
      // Another program took the free port between our probe and MinIO's bind: try another.
      if (attempt >= PORT_ATTEMPTS || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startMinio(
  binary: string,
  options: S3ServerOptions & { host: string; port: number },
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<S3Server> {
  const { host, port, directory } = options;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const endpoint = `http://${address}`;
  mkdirSync(join(directory, 'data'), { recursive: true });
  mkdirSync(join(directory, 'certs'), { recursive: true });
  // setpriv asks the kernel to SIGKILL MinIO when this process dies, then execs it (same pid).
  const child = spawn(setpriv(), ['--pdeathsig', 'SIGKILL', '--', binary, ...minioServerArgs(address, directory)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: directory,
      [MINIO_ROOT_USER]: credentials.accessKeyId,
      [MINIO_ROOT_PASSWORD]: credentials.secretAccessKey,
      ...MINIO_OFFLINE_ENV,
    },
  });
  // MinIO prints its banner ("API: http://...") once it listens and its drive is ready. Waiting for
  // that line from this process, not only for the health endpoint, keeps a start from mistaking
  // another server on the same port for its own (MinIO binds with SO_REUSEPORT).
  let output: string[] = [];
  let announced: () => void;
  const listening = new Promise<void>((resolve) => (announced = resolve));
  const keep = (line: string) => {
    if (line.startsWith('API: ')) announced();
    if (line.trim() !== '') output = [...output, line].slice(-20);
  };
  createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', keep);
  createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', keep);
  const closed = new Promise<string>((resolve) => child.once('close', (code, signal) => resolve(signal ?? `code ${code}`)));
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  spawnFailed.catch(() => undefined);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await closed;
    clearTimeout(timer);
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    await Promise.race([
      spawnFailed,
      closed.then((how) => {
        const lines = output.join('\n');
        const reason = `MinIO on ${address} did not start: process exited (${how})${lines ? `\n${lines}` : ''}`;
        throw /port .* already in use|address already in use/i.test(lines) ? new PortTakenError(reason) : new Error(reason);
      }),
      (async () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`MinIO on ${address} did not start within ${timeoutMs} ms${output.length ? `\n${output.join('\n')}` : ''}`)), timeoutMs)));
        try {
          await Promise.race([listening, late]);
        } finally {
          clearTimeout(timer);
        }
        await waitUntilReady(endpoint, timeoutMs);
        await createBuckets(endpoint, credentials, options.buckets ?? []);
      })(),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, host, port, pid: child.pid!, ...credentials, stop };
}

/** Polls MinIO's readiness endpoint (200 once it serves S3 requests) until `timeoutMs`. */
export async function waitUntilReady(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const answer = await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(1_000) });
      await answer.body?.cancel();
      if (answer.ok) return;
      last = `HTTP ${answer.status}`;
    } catch (error) {
      last = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`MinIO at ${endpoint} not ready after ${timeoutMs} ms (${last})`);
}

/** Creates the buckets (those that exist already are kept), as any S3 client would. */
export async function createBuckets(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, buckets: readonly string[]): Promise<void> {
  if (buckets.length === 0) return;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
  try {
    for (const bucket of buckets) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
      } catch (error) {
        if ((error as Error).name === 'BucketAlreadyOwnedByYou') continue;
        throw new Error(`cannot create bucket "${bucket}" at ${endpoint}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  } finally {
    client.destroy();
  }
}

let setprivPath: string | undefined;
function setpriv(): string {
  if (setprivPath) return setprivPath;
  const probe = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new Error('setpriv is missing: the S3 server needs it (Debian: apt-get install util-linux) so that MinIO never outlives the process that started it');
  return (setprivPath = 'setpriv');
}

/** A port nobody listens on right now: bound, noted, released. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
