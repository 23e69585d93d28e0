export interface StorageEntry {
  /** Path relative to the storage root. */
  readonly path: string;
  readonly size: number;
}

/** Bytes to store: one buffer, or chunks produced while the upload runs. */
export type StateBytes = Uint8Array | AsyncIterable<Uint8Array>;

export interface WriteOptions {
  signal?: AbortSignal;
}

/**
 * The seam between checkpointing and where its bytes live. Paths are relative to the storage's root
 * and use '/' on every platform; the filesystem and S3 implementations lay files out identically.
 */
export interface ObjectStore {
  /** The root as a URI (`s3://bucket/prefix`, `file:///dir`), for messages and recorded paths. */
  readonly uri: string;
  uriOf(path: string): string;
  /**
   * Stores a file whole or not at all, replacing an existing one; resolves to its size. Aborting
   * `signal` (a checkpoint timed out or was cancelled) stops the upload and rejects with its reason.
   */
  write(path: string, data: StateBytes, options?: WriteOptions): Promise<number>;
  read(path: string): Promise<Buffer>;
  readRange(path: string, offset: number, length: number): Promise<Buffer>;
  /** Every file below a directory ('' for the root), recursively, sorted by path. */
  list(directory: string): Promise<StorageEntry[]>;
  /** Removes one file; removing a missing file is not an error. */
  delete(path: string): Promise<void>;
  /** Removes a directory with everything below it; a missing directory is not an error. */
  deleteDirectory(directory: string): Promise<void>;
  /** Releases connections; the storage is unusable afterwards. */
  close(): Promise<void>;
}
