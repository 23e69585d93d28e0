import type { ObjectStore } from '../fs/object-store.ts';
import { openObjectStore, type S3ConnectionOptions } from '../fs/open-object-store.ts';
import { CheckpointVerificationError, loadCheckpoint, type VerifiedCheckpoint } from './checkpoint-verification.ts';
import { METADATA_FILE, parseCheckpointDirectoryName } from './storage-layout.ts';

/**
 * Opens the checkpoint or savepoint a URI points at (`--from-savepoint`, `initialSavepointPath`, a
 * checkpoint of a previous run) and verifies it. The storage is rooted at that directory: state
 * handle paths are read relative to it. Throws CheckpointVerificationError with the reasons when
 * it cannot be used.
 */
export async function openCheckpointAt(uri: string, s3: S3ConnectionOptions = {}): Promise<{ storage: ObjectStore; checkpoint: VerifiedCheckpoint }> {
  // The path of the _metadata file itself names its directory, as in Flink.
  const storage = await openObjectStore(uri.replace(new RegExp(`/${METADATA_FILE}/*$`), ''), s3);
  try {
    // A chk-<n> directory must hold checkpoint n's metadata.
    const result = await loadCheckpoint(storage, '', { expectedCheckpointId: parseCheckpointDirectoryName(storage.uri.split('/').pop() ?? '') });
    if (!result.ok) throw new CheckpointVerificationError(storage.uri, result.reasons);
    return { storage, checkpoint: result.checkpoint };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
