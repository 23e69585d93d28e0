import type { ObjectStore, StorageEntry } from '../fs/object-store.ts';
import { parseMetadata, referencedFiles, type CheckpointMetadata } from './metadata.ts';
import { METADATA_FILE } from './storage-layout.ts';
import { directoryPrefix, joinPath } from '../fs/storage-path.ts';
import { StorageError } from '../fs/storage-error.ts';

export type SkipReason =
  | { kind: 'metadata-unreadable'; message: string }
  | { kind: 'metadata-invalid'; message: string }
  | { kind: 'checkpoint-id-mismatch'; expected: number; actual: number; message: string }
  | { kind: 'file-missing'; file: string; message: string }
  | { kind: 'file-size-mismatch'; file: string; expectedSize: number; actualSize: number; message: string };

export interface VerifiedCheckpoint {
  checkpointId: number;
  /** The checkpoint's directory as a URI, e.g. s3://bucket/prefix/ns/job/run/checkpoints/chk-7. */
  uri: string;
  /** The checkpoint's directory relative to the storage root; handle paths are relative to it. */
  directory: string;
  metadata: CheckpointMetadata;
}

export interface SkippedCheckpoint {
  checkpointId: number;
  uri: string;
  reasons: SkipReason[];
}

/** A checkpoint or savepoint that was asked for by path but cannot be used. */
export class CheckpointVerificationError extends Error {
  override readonly name = 'CheckpointVerificationError';

  constructor(
    readonly uri: string,
    readonly reasons: SkipReason[],
  ) {
    super(`Cannot restore from ${uri}: ${reasons.map((reason) => reason.message).join('; ')}`);
  }
}

export type Verification = { ok: true; metadata: CheckpointMetadata } | { ok: false; reasons: SkipReason[] };

/**
 * Checks metadata bytes against the files found in the checkpoint's directory (paths relative to it).
 * `expectedCheckpointId` guards against a `_metadata` copied from another checkpoint.
 */
export function verifyCheckpoint(metadataBytes: Uint8Array, files: ReadonlyMap<string, number>, expectedCheckpointId?: number): Verification {
  let metadata: CheckpointMetadata;
  try {
    metadata = parseMetadata(metadataBytes);
  } catch (error) {
    return { ok: false, reasons: [{ kind: 'metadata-invalid', message: (error as Error).message }] };
  }
  const reasons: SkipReason[] = [];
  if (expectedCheckpointId !== undefined && metadata.checkpointId !== expectedCheckpointId) {
    reasons.push({
      kind: 'checkpoint-id-mismatch',
      expected: expectedCheckpointId,
      actual: metadata.checkpointId,
      message: `_metadata names checkpoint ${metadata.checkpointId}, but lies in the directory of checkpoint ${expectedCheckpointId}`,
    });
  }
  for (const [file, expectedSize] of referencedFiles(metadata)) {
    const actualSize = files.get(file);
    if (actualSize === undefined) {
      reasons.push({ kind: 'file-missing', file, message: `state file "${file}" referenced by _metadata does not exist` });
    } else if (actualSize !== expectedSize) {
      reasons.push({ kind: 'file-size-mismatch', file, expectedSize, actualSize, message: `state file "${file}" has ${actualSize} bytes, _metadata records ${expectedSize}` });
    }
  }
  return reasons.length === 0 ? { ok: true, metadata } : { ok: false, reasons };
}

/** Files below a directory, keyed by their path relative to it. */
export function filesBelow(entries: readonly StorageEntry[], directory: string): Map<string, number> {
  const prefix = directoryPrefix(directory);
  const files = new Map<string, number>();
  for (const entry of entries) {
    if (entry.path.startsWith(prefix)) files.set(entry.path.slice(prefix.length), entry.size);
  }
  return files;
}

/**
 * Before a checkpoint is used for restore: `_metadata` must parse, and every file it references must
 * exist with its recorded size. A checkpoint that fails is skipped with reasons a JobManager can put
 * in its log, REST API and metrics. Only what was read and found invalid fails it: a storage error
 * (listing, or reading `_metadata` for any reason but not found) rejects instead.
 *
 * Reads and verifies the checkpoint or savepoint in `directory`. `entries` may pass a listing the
 * caller already holds; otherwise the directory is listed.
 */
export async function loadCheckpoint(
  storage: ObjectStore,
  directory: string,
  options: { expectedCheckpointId?: number; entries?: readonly StorageEntry[] } = {},
): Promise<{ ok: true; checkpoint: VerifiedCheckpoint } | { ok: false; reasons: SkipReason[] }> {
  const files = filesBelow(options.entries ?? (await storage.list(directory)), directory);
  if (!files.has(METADATA_FILE)) {
    return { ok: false, reasons: [{ kind: 'metadata-unreadable', message: `${storage.uriOf(directory)} holds no _metadata: not a completed checkpoint or savepoint` }] };
  }
  let bytes: Buffer;
  try {
    bytes = await storage.read(joinPath(directory, METADATA_FILE));
  } catch (error) {
    // Gone since the listing (deleted by retention): invalid. Any other failure (5xx, reset, timeout,
    // access) says nothing about the checkpoint, so it is not skipped: the restore fails and is retried.
    if (error instanceof StorageError && error.reason === 'not-found') return { ok: false, reasons: [{ kind: 'metadata-unreadable', message: error.message }] };
    throw error;
  }
  const verification = verifyCheckpoint(bytes, files, options.expectedCheckpointId);
  if (!verification.ok) return verification;
  const { metadata } = verification;
  return { ok: true, checkpoint: { checkpointId: metadata.checkpointId, uri: storage.uriOf(directory), directory, metadata } };
}
