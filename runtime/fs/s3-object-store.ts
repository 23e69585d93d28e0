import { CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type _Object } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStore, StateBytes, StorageEntry, WriteOptions } from './object-store.ts';
import { StorageError } from './storage-error.ts';
import type { S3Credentials, S3CredentialsProvider } from './s3-credentials.ts';
import { toStorageError, type S3ErrorContext } from './s3-error.ts';
import { StateBytesSource } from './state-bytes-source.ts';
import { checkRelativePath, directoryPrefix, joinPath } from './storage-path.ts';

export interface S3StorageConfig {
  bucket: string;
  /** Key prefix below which the storage root lies, without leading or trailing '/'; may be ''. */
  prefix: string;
  /** Custom endpoint (MinIO, the sandbox server); AWS S3 when absent. */
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** A provider's failure (a StorageError) fails each request, named after the bucket and endpoint. */
  credentials: S3Credentials | S3CredentialsProvider;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  connectionTimeoutMs: number;
  /** Upper bound for the wait for an answer to one request (one part of a multipart upload); a transfer silent for twice as long is abandoned. */
  requestTimeoutMs: number;
  /** Bytes per multipart part; S3 requires at least 5 MiB. Smaller files take one PutObject. */
  partSize: number;
  /** Parts uploaded concurrently. */
  queueSize: number;
  /** Keys per listing request (and so per DeleteObjects request); S3 allows at most 1000. */
  listPageSize: number;
}

export const S3_STORAGE_DEFAULTS = {
  region: 'us-east-1',
  forcePathStyle: true,
  maxAttempts: 3,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 60_000,
  partSize: 8 * 1024 * 1024,
  queueSize: 4,
  listPageSize: 1000,
} as const;

const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * Checkpoint storage in an S3 bucket (AWS, MinIO or any S3-compatible server): path-style addressing
 * for custom endpoints, multipart upload of large state through @aws-sdk/lib-storage, bounded
 * retries and timeouts so that an unreachable endpoint fails a checkpoint instead of hanging it.
 */
export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly client: S3Client;
  private readonly endpointDescription: string;

  constructor(private readonly config: S3StorageConfig) {
    if (!Number.isSafeInteger(config.listPageSize) || config.listPageSize < 1 || config.listPageSize > 1000) {
      throw new StorageError('invalid-config', `S3 listing page size ${config.listPageSize} is not between 1 and 1000`);
    }
    if (config.partSize < MIN_PART_SIZE) {
      throw new StorageError('invalid-config', `S3 multipart part size ${config.partSize} is below the S3 minimum of ${MIN_PART_SIZE} bytes`);
    }
    this.uri = `s3://${joinPath(config.bucket, config.prefix)}`;
    this.endpointDescription = config.endpoint ?? `AWS S3 (${config.region})`;
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
      maxAttempts: config.maxAttempts,
      requestHandler: {
        connectionTimeout: config.connectionTimeoutMs,
        requestTimeout: config.requestTimeoutMs,
        throwOnRequestTimeout: true,
        // Bounds a transfer that stalls after the answer began, which requestTimeout does not cover.
        socketTimeout: stallTimeoutMs(config.requestTimeoutMs),
      },
      // With the SDK's default, streamed bodies are sent aws-chunked with a trailing checksum, and
      // some S3-compatible servers store that framing as the object's data.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  uriOf(path: string): string {
    return joinPath(this.uri, checkRelativePath(path));
  }

  async write(path: string, data: StateBytes, options: WriteOptions = {}): Promise<number> {
    const { signal } = options;
    signal?.throwIfAborted();
    const source = data instanceof Uint8Array ? undefined : new StateBytesSource(data);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key: this.key(path), Body: data instanceof Uint8Array ? data : Readable.from(source!.chunks()) },
      partSize: this.config.partSize,
      queueSize: this.config.queueSize,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw source?.failed ? source.failure : toStorageError(error, this.errorContext(path, 'write'));
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    return data instanceof Uint8Array ? data.byteLength : source!.size;
  }

  async read(path: string): Promise<Buffer> {
    const key = this.key(path);
    return this.call(path, 'read', async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      return asBuffer(await response.Body!.transformToByteArray());
    });
  }

  async readRange(path: string, offset: number, length: number): Promise<Buffer> {
    const key = this.key(path);
    if (length === 0) return Buffer.alloc(0);
    const bytes = await this.call(path, 'read', async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.config.bucket, Key: key, Range: `bytes=${offset}-${offset + length - 1}` }));
      return asBuffer(await response.Body!.transformToByteArray());
    });
    if (bytes.byteLength !== length) {
      throw new StorageError('io', `Checkpoint file "${this.uriOf(path)}" ends before byte ${offset + length} (wanted ${length} bytes at offset ${offset}, got ${bytes.byteLength})`);
    }
    return bytes;
  }

  async list(directory: string): Promise<StorageEntry[]> {
    const rootPrefix = directoryPrefix(this.config.prefix);
    const entries: StorageEntry[] = [];
    for await (const page of this.pages(directory)) {
      for (const object of page) entries.push({ path: object.Key!.slice(rootPrefix.length), size: object.Size ?? 0 });
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Copies a file inside the bucket on the server (no bytes through this process); the S3 sink
   * publishes parts this way. Fails with reason `not-found` when `from` does not exist.
   */
  async copy(from: string, to: string): Promise<void> {
    const source = `${this.config.bucket}/${this.key(from)}`;
    const key = this.key(to);
    await this.call(from, 'read', () => this.client.send(new CopyObjectCommand({ Bucket: this.config.bucket, Key: key, CopySource: source.split('/').map(encodeURIComponent).join('/') })));
  }

  async exists(path: string): Promise<boolean> {
    const key = this.key(path);
    try {
      await this.call(path, 'read', () => this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key: key })));
      return true;
    } catch (error) {
      if (error instanceof StorageError && error.reason === 'not-found') return false;
      throw error;
    }
  }

  async delete(path: string): Promise<void> {
    const key = this.key(path);
    await this.call(path, 'delete', () => this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: key })));
  }

  /** Deletes page by page as the listing goes: one DeleteObjects request per listing page. */
  async deleteDirectory(directory: string): Promise<void> {
    for await (const page of this.pages(directory)) {
      if (page.length === 0) continue;
      const result = await this.call(directory, 'delete', () =>
        this.client.send(withContentMd5(new DeleteObjectsCommand({ Bucket: this.config.bucket, Delete: { Objects: page.map(({ Key }) => ({ Key })), Quiet: true } }))),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new StorageError('io', `S3 bucket "${this.config.bucket}" at ${this.endpointDescription}: could not delete ${failed.length} objects below "${directory}", first "${first.Key}": ${first.Code} ${first.Message ?? ''}`.trim());
      }
    }
  }

  /** The objects below a directory, one listing page at a time. */
  private async *pages(directory: string): AsyncGenerator<_Object[]> {
    const prefix = directoryPrefix(this.key(directory));
    let continuationToken: string | undefined;
    do {
      const page = await this.call(directory, 'list', () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, MaxKeys: this.config.listPageSize, ContinuationToken: continuationToken })),
      );
      yield page.Contents ?? [];
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private key(path: string): string {
    return joinPath(this.config.prefix, checkRelativePath(path));
  }

  /** Runs one S3 operation on `path` (relative to the root), translating its failure. */
  private async call<T>(path: string, operation: S3ErrorContext['operation'], action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw toStorageError(error, this.errorContext(path, operation));
    }
  }

  private errorContext(path: string, operation: S3ErrorContext['operation']): S3ErrorContext {
    return {
      bucket: this.config.bucket,
      endpoint: this.endpointDescription,
      uri: this.uriOf(path),
      operation,
      attempts: this.config.maxAttempts,
      connectionTimeoutMs: this.config.connectionTimeoutMs,
      requestTimeoutMs: this.config.requestTimeoutMs,
      stallTimeoutMs: stallTimeoutMs(this.config.requestTimeoutMs),
    };
  }
}

export function stallTimeoutMs(requestTimeoutMs: number): number {
  return 2 * requestTimeoutMs;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Adds `Content-MD5` (of the serialized XML body) to a DeleteObjects request. S3 requires an
 * integrity header on DeleteObjects; the SDK now sends only `x-amz-checksum-crc32`, which Ceph RGW,
 * OpenStack Swift's s3api and older MinIO releases do not accept in its place (`InvalidRequest:
 * Missing required header for this request: Content-MD5`). The header is added before signing.
 */
function withContentMd5(command: DeleteObjectsCommand): DeleteObjectsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'sluiceDeleteObjectsContentMd5' },
  );
  return command;
}
