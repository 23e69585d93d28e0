// An S3-compatible server on loopback for checkpoints: for tests, the sandbox and local runs.
// It runs as a child process (see s3-server-process.ts) that exits when its starter does.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { S3ServerProcessConfig, S3ServerProcessMessage } from './s3-server-protocol.ts';

export interface S3ServerOptions {
  /** Loopback address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Where objects are kept; reusing it after a restart keeps the data. */
  directory: string;
  /** Buckets created at start. */
  buckets?: string[];
  accessKeyId?: string;
  secretAccessKey?: string;
  /** How long to wait for the server to listen; default 20 s. */
  startTimeoutMs?: number;
}

export interface S3Server {
  endpoint: string;
  host: string;
  port: number;
  /** The server process, for fault injection (SIGKILL it to make S3 unreachable). */
  pid: number;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stops the server and waits until its process has exited. */
  stop(): Promise<void>;
}

const DEFAULT_ACCESS_KEY_ID = 'sluice';
const DEFAULT_SECRET_ACCESS_KEY = 'sluice-secret';
const STOP_GRACE_MS = 5_000;

const processEntry = fileURLToPath(new URL('./s3-server-process.ts', import.meta.url));
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const config: S3ServerProcessConfig = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    buckets: options.buckets ?? [],
    accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    secretAccessKey: options.secretAccessKey ?? DEFAULT_SECRET_ACCESS_KEY,
  };
  const child = fork(processEntry, [JSON.stringify(config)], {
    cwd: packageRoot,
    execArgv: ['--openssl-legacy-provider', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let started = false;
  const port = await new Promise<number>((resolve, reject) => {
    const fail = (reason: string) => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`S3 server on ${config.host}:${config.port} did not start: ${reason}${stderr ? `\n${stderr.trim()}` : ''}`));
    };
    const timeoutMs = options.startTimeoutMs ?? 20_000;
    const timer = setTimeout(() => fail(`not listening after ${timeoutMs} ms`), timeoutMs);
    child.once('message', (message: S3ServerProcessMessage) => {
      started = true;
      clearTimeout(timer);
      resolve(message.port);
    });
    // 'close' comes after stderr is drained, so the failure carries the process's last words.
    child.once('close', (code, signal) => fail(`process exited (${signal ?? `code ${code}`})`));
    child.once('error', (error) => fail(error.message));
  });

  return {
    endpoint: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    host: config.host,
    port,
    pid: child.pid!,
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
