import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { StorageError } from '../fs/storage-error.ts';
import { openObjectStore, type S3ConnectionOptions } from '../fs/open-object-store.ts';
import { processS3Connection } from '../fs/process-s3-connection.ts';
import type { S3ObjectStore } from '../fs/s3-object-store.ts';
import { parseStorageUri } from '../fs/storage-uri.ts';
import { formatRecord } from './format-record.ts';
import type { SinkWriterContext } from './sink.ts';
import { TwoPhaseCommitSink, type PreCommitted, type SinkTransaction, type SinkTransactions } from './two-phase-commit-sink.ts';

/**
 * Where the sink writes and how it reaches S3: the connection settings of checkpoint storage
 * (endpoint, region, path-style, credentials given, from a mounted Secret directory or from the
 * environment, retries, timeouts; see runtime/checkpoint/README.md), plus memory bounds. Settings
 * not given here are those of the TaskManager's configured S3 checkpoint storage, if any
 * (process-s3-connection.ts), then the AWS environment variables.
 */
export interface S3SinkOptions extends S3ConnectionOptions {
  /** Bytes per multipart part (at least 5 MiB); a smaller part object takes one PutObject. Default 8 MiB. */
  partSize?: number;
  /** Parts of one object uploaded concurrently. Default 2. */
  queueSize?: number;
  /**
   * Bytes of records that may wait in memory for the upload beyond the parts in flight. When records
   * outrun the upload, the writer stops being available at about this much and its task takes no
   * more input until the upload catches up: backpressure, as from a slow network channel. Default 32 MiB.
   */
  maxBufferedBytes?: number;
}

/**
 * A pre-committed part: the sink's `s3://bucket/prefix` it was written to (absent in states of
 * before it was recorded), its staged object and the key it is published under (relative to the
 * prefix); null when empty.
 */
export type S3PartState = { readonly location?: string; readonly staging: string; readonly part: string } | null;

/** Records are handed to the upload in chunks of about this many characters, not one by one. */
const CHUNK = 65536;
const STAGING_DIRECTORY = '_inprogress';
const DEFAULT_QUEUE_SIZE = 2;
const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * Writes records as lines into `s3://bucket/prefix/` with exactly-once output. Each checkpoint
 * interval of each subtask is one object: its records stream, while they come, into a staged object
 * `prefix/_inprogress/part-<subtask>-<run>-<n>` (multipart through @aws-sdk/lib-storage when larger
 * than a part); the checkpoint is acknowledged once that upload finished; when the checkpoint
 * completes the object is copied on the server to `prefix/part-<subtask>-<run>-<n>` and the staged
 * one deleted. Readers listing `prefix/part-` see only committed records. Committing again finds
 * no staged object but the part: it does nothing; a transaction records its bucket and prefix, so a
 * restored one is published there, not under the URI given now. Works with any S3-compatible server (no
 * multipart operations beyond what lib-storage uses).
 *
 * Left behind: staged objects of transactions never pre-committed (a process killed between
 * checkpoints: their upload never finished, so at most an incomplete multipart upload, for the
 * bucket's lifecycle rule to abort) and of pre-committed transactions whose checkpoint never
 * completed (`_inprogress/` objects, never published).
 */
export class S3Sink<T> extends TwoPhaseCommitSink<T, S3PartState> {
  constructor(
    private readonly uri: string,
    private readonly options: S3SinkOptions = {},
  ) {
    super();
    let scheme: string;
    try {
      scheme = parseStorageUri(uri).scheme;
    } catch (error) {
      throw new Error(`S3Sink: invalid URI "${uri}": ${(error as Error).message}`, { cause: error });
    }
    if (scheme !== 's3') throw new Error(`S3Sink: "${uri}" is not an s3://bucket/prefix URI`);
    const maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    if (!Number.isSafeInteger(maxBuffered) || maxBuffered < CHUNK) throw new Error(`S3Sink: maxBufferedBytes ${maxBuffered} is below ${CHUNK}`);
  }

  protected createTransactions(ctx: SinkWriterContext): SinkTransactions<T, S3PartState> {
    return new S3PartTransactions<T>(this.uri, this.options, ctx.subtaskIndex);
  }
}

/** The transactions of one writer: one connection, and the work to finish before closing it. */
class S3PartTransactions<T> implements SinkTransactions<T, S3PartState> {
  private readonly storage: Promise<S3ObjectStore>;
  // Unique per writer, so a restarted attempt never reuses the name of a part published before.
  private readonly run = randomUUID().slice(0, 8);
  private sequence = 0;
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly uri: string,
    private readonly options: S3SinkOptions,
    private readonly subtaskIndex: number,
  ) {
    this.storage = this.open(uri);
    // Reported by the first upload or commit that needs the connection.
    this.storage.catch(() => {});
  }

  begin(): SinkTransaction<T, S3PartState> {
    const part = `part-${this.subtaskIndex}-${this.run}-${this.sequence++}`;
    return new S3PartTransaction<T>(this, part, `${STAGING_DIRECTORY}/${part}`, this.options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES);
  }

  commit(state: S3PartState): Promise<void> | undefined {
    return state === null ? undefined : this.track(this.publish(state));
  }

  close(): void {
    void Promise.allSettled([...this.running])
      .then(() => this.storage)
      .then((storage) => storage.close(), () => undefined);
  }

  /** Uploads the chunks into `path`; resolves when the object exists whole. */
  upload(path: string, chunks: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void> {
    return this.track(this.storage.then((storage) => storage.write(path, chunks, { signal })).then(() => undefined));
  }

  /** Removes a staged object, best effort: a failure leaves it hidden in `_inprogress/`. */
  discard(upload: Promise<void>, path: string): void {
    void this.track(
      upload
        .catch(() => undefined)
        .then(() => this.storage)
        .then((storage) => storage.delete(path))
        .catch(() => undefined),
    );
  }

  /** An s3:// URI (checked by S3Sink) opens S3 storage. */
  private open(uri: string): Promise<S3ObjectStore> {
    return openObjectStore(uri, { ...processS3Connection(), ...this.options, queueSize: this.options.queueSize ?? DEFAULT_QUEUE_SIZE }) as Promise<S3ObjectStore>;
  }

  /** A transaction restored from a checkpoint is published where it was written, whatever URI the job was given since. */
  private async publish(state: NonNullable<S3PartState>): Promise<void> {
    if (state.location === undefined || state.location === this.uri) return this.publishIn(await this.storage, state);
    const elsewhere = await this.open(state.location);
    try {
      await this.publishIn(elsewhere, state);
    } finally {
      await elsewhere.close();
    }
  }

  private async publishIn(storage: S3ObjectStore, state: NonNullable<S3PartState>): Promise<void> {
    try {
      await storage.copy(state.staging, state.part);
    } catch (error) {
      if (!(error instanceof StorageError && error.reason === 'not-found')) throw error;
      // The staged object is gone: published by an earlier commit of this transaction, or lost.
      if (await storage.exists(state.part)) return;
      throw new Error(`cannot commit S3 part ${storage.uriOf(state.part)}: neither it nor its staged object ${storage.uriOf(state.staging)} exists`, { cause: error });
    }
    await storage.delete(state.staging);
  }

  private track<R>(work: Promise<R>): Promise<R> {
    const settled: Promise<unknown> = work.then(
      () => this.running.delete(settled),
      () => this.running.delete(settled),
    );
    this.running.add(settled);
    return work;
  }
}

/** One part: records go into an upload that starts with the first chunk; nothing is sent for an empty part. */
class S3PartTransaction<T> implements SinkTransaction<T, S3PartState> {
  private text = '';
  private records = 0;
  private stream: PassThrough | undefined;
  private upload: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private readonly aborted = new AbortController();

  constructor(
    private readonly parts: S3PartTransactions<T>,
    private readonly part: string,
    private readonly staging: string,
    private readonly maxBufferedBytes: number,
  ) {}

  write(value: T): void {
    if (this.failure !== undefined) throw this.failure.error;
    this.text += `${formatRecord(value)}\n`;
    this.records++;
    if (this.text.length >= CHUNK) this.flush();
  }

  preCommit(): PreCommitted<S3PartState> {
    if (this.failure !== undefined) throw this.failure.error;
    if (this.records === 0) return { state: null };
    this.flush();
    this.stream!.end();
    return { state: { location: this.parts.uri, staging: this.staging, part: this.part }, durable: this.upload! };
  }

  abort(): void {
    if (this.stream === undefined) return;
    this.aborted.abort(new Error(`S3 part ${this.part} was aborted`));
    this.stream.destroy();
    this.parts.discard(this.upload!, this.staging);
  }

  private flush(): void {
    (this.stream ?? this.start()).write(this.text);
    this.text = '';
  }

  /** Room for more records: the stream's buffer is below its bound (or the upload failed: the next write says so). */
  isAvailable(): boolean {
    return this.stream === undefined || !this.stream.writableNeedDrain || this.failure !== undefined;
  }

  availability(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined || this.isAvailable()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', done).off('close', done);
        resolve();
      };
      stream.on('drain', done).on('close', done);
    });
  }

  private start(): PassThrough {
    // Both halves buffer up to half the bound, so `write` asks for a drain once about maxBufferedBytes wait.
    const stream = new PassThrough({ highWaterMark: Math.max(1, Math.floor(this.maxBufferedBytes / 2)) });
    // Writes after a failed upload are refused by write() itself; the stream's own errors say nothing more.
    stream.on('error', () => {});
    this.stream = stream;
    this.upload = this.parts.upload(this.staging, stream, this.aborted.signal);
    this.upload.catch((error: unknown) => {
      this.failure ??= { error };
      stream.destroy();
    });
    return stream;
  }
}
