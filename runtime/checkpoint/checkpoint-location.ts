// The directory one checkpoint or savepoint is written into: subtasks' state files first, then
// `_metadata`, whose presence makes it complete. Flink's CheckpointStorageLocation.
import type { ObjectStore, StateBytes, WriteOptions } from '../fs/object-store.ts';
import { filesBelow, verifyCheckpoint } from './checkpoint-verification.ts';
import { MetadataError, serializeMetadata, type CheckpointKind, type CheckpointMetadata } from './metadata.ts';
import { METADATA_FILE, subtaskStateFile } from './storage-layout.ts';
import { joinPath } from '../fs/storage-path.ts';

/** A state file as written: its path relative to the checkpoint directory and its size. */
export interface StateFile {
  path: string;
  size: number;
}

export class CheckpointStorageLocation {
  constructor(
    readonly storage: ObjectStore,
    /** Relative to the storage root. */
    readonly directory: string,
    readonly kind: CheckpointKind,
    /** For checkpoints, the id `_metadata` must carry; savepoints take any. */
    readonly checkpointId?: number,
  ) {}

  get uri(): string {
    return this.storage.uriOf(this.directory);
  }

  async writeState(operatorId: string, subtask: number, data: StateBytes, options?: WriteOptions): Promise<StateFile> {
    const path = subtaskStateFile(operatorId, subtask);
    const size = await this.storage.write(joinPath(this.directory, path), data, options);
    return { path, size };
  }

  /**
   * Completes the checkpoint. The metadata is checked against the files actually stored first, so a
   * checkpoint can never be completed with state that is missing or cut short.
   */
  async writeMetadata(metadata: CheckpointMetadata): Promise<string> {
    if (metadata.kind !== this.kind) {
      throw new MetadataError(`Metadata of a ${metadata.kind} cannot complete the ${this.kind} at ${this.uri}`);
    }
    const bytes = serializeMetadata(metadata);
    const verification = verifyCheckpoint(bytes, filesBelow(await this.storage.list(this.directory), this.directory), this.checkpointId);
    if (!verification.ok) {
      throw new MetadataError(`Cannot complete ${this.uri}: ${verification.reasons.map((reason) => reason.message).join('; ')}`);
    }
    await this.storage.write(joinPath(this.directory, METADATA_FILE), bytes);
    return this.uri;
  }

  /** Removes an aborted checkpoint; `_metadata` goes first so that nothing half-deleted looks complete. */
  async discard(): Promise<void> {
    await this.storage.delete(joinPath(this.directory, METADATA_FILE));
    await this.storage.deleteDirectory(this.directory);
  }
}
