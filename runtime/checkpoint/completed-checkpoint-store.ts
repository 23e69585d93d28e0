import type { ObjectStore, StorageEntry } from '../fs/object-store.ts';
import { CheckpointStorageLocation } from './checkpoint-location.ts';
import { loadCheckpoint, type SkippedCheckpoint, type VerifiedCheckpoint } from './checkpoint-verification.ts';
import { checkpointDirectory, checkpointsDirectory, listedDirectories, parseCheckpointDirectoryName, type JobScope } from './storage-layout.ts';

export const DEFAULT_RETAINED_CHECKPOINTS = 3;

/** One chk-<n> directory as found in storage. */
export interface CheckpointDirectory {
  checkpointId: number;
  directory: string;
  /** Holds _metadata. */
  completed: boolean;
}

export interface LatestCheckpoint {
  /** The newest completed checkpoint that verifies, if any. */
  checkpoint?: VerifiedCheckpoint;
  /** Newer completed checkpoints that failed verification, newest first. */
  skipped: SkippedCheckpoint[];
}

/**
 * The checkpoints of one run, found by listing storage so that any new JobManager finds them without
 * other memory: only a chk-<n> holding _metadata is completed; the newest one that verifies is used
 * for restore; the newest `retained` are kept and older ones deleted.
 */
export class CompletedCheckpointStore {
  readonly directory: string;
  readonly retained: number;
  private newestVerified: number | undefined;

  constructor(
    readonly storage: ObjectStore,
    readonly scope: JobScope,
    readonly jobId: string,
    options: { retained?: number } = {},
  ) {
    this.directory = checkpointsDirectory(scope, jobId);
    this.retained = options.retained ?? DEFAULT_RETAINED_CHECKPOINTS;
    if (!Number.isSafeInteger(this.retained) || this.retained < 1) {
      throw new RangeError(`retained checkpoints must be a positive integer, got ${options.retained}`);
    }
  }

  /** Where checkpoint `checkpointId` is written. */
  location(checkpointId: number): CheckpointStorageLocation {
    return new CheckpointStorageLocation(this.storage, checkpointDirectory(this.scope, this.jobId, checkpointId), 'checkpoint', checkpointId);
  }

  /** Every chk-<n> directory of the run, completed or not, by ascending id. */
  async checkpoints(): Promise<CheckpointDirectory[]> {
    return groupCheckpoints(await this.storage.list(this.directory), this.directory);
  }

  /**
   * The id for the run's next checkpoint: above every chk-<n> present, completed or not, so that a
   * restarted JobManager never writes into the directory of a skipped or aborted checkpoint.
   */
  async nextCheckpointId(): Promise<number> {
    const all = await this.checkpoints();
    return (all[all.length - 1]?.checkpointId ?? 0) + 1;
  }

  async findLatest(): Promise<LatestCheckpoint> {
    const entries = await this.storage.list(this.directory);
    const completed = groupCheckpoints(entries, this.directory).filter((checkpoint) => checkpoint.completed);
    const skipped: SkippedCheckpoint[] = [];
    for (const candidate of completed.reverse()) {
      const result = await loadCheckpoint(this.storage, candidate.directory, { expectedCheckpointId: candidate.checkpointId, entries });
      if (result.ok) {
        this.markVerified(candidate.checkpointId);
        return { checkpoint: result.checkpoint, skipped };
      }
      skipped.push({ checkpointId: candidate.checkpointId, uri: this.storage.uriOf(candidate.directory), reasons: result.reasons });
    }
    return { skipped };
  }

  /**
   * Records that checkpoint `checkpointId` verified: found by `findLatest`, or just completed (its
   * `_metadata` was checked against the stored files). Retention never deletes the newest one so
   * recorded, even when newer completed checkpoints would not verify.
   */
  markVerified(checkpointId: number): void {
    if (this.newestVerified === undefined || checkpointId > this.newestVerified) this.newestVerified = checkpointId;
  }

  /**
   * Deletes completed checkpoints beyond the newest `retained`, and incomplete ones older than the
   * newest completed (aborted, or left by a crashed JobManager); the newest verified one stays.
   * Resolves to the deleted ids; when a deletion fails, rejects with a CheckpointRetentionError
   * saying how many were left behind.
   */
  async applyRetention(): Promise<number[]> {
    let all: CheckpointDirectory[];
    try {
      all = await this.checkpoints();
    } catch (error) {
      throw new CheckpointRetentionError(`listing ${this.storage.uriOf(this.directory)} failed: ${(error as Error).message}`, null, error);
    }
    const completed = all.filter((checkpoint) => checkpoint.completed);
    const newest = completed[completed.length - 1]?.checkpointId;
    if (newest === undefined) return [];
    const kept = new Set(completed.slice(-this.retained).map((checkpoint) => checkpoint.checkpointId));
    if (this.newestVerified !== undefined) kept.add(this.newestVerified);
    const doomed = all.filter((checkpoint) => !kept.has(checkpoint.checkpointId) && checkpoint.checkpointId < newest);
    const deleted: number[] = [];
    for (const checkpoint of doomed) {
      try {
        await this.location(checkpoint.checkpointId).discard();
      } catch (error) {
        throw new CheckpointRetentionError((error as Error).message, doomed.length - deleted.length, error);
      }
      deleted.push(checkpoint.checkpointId);
    }
    return deleted;
  }

  /** Removes one checkpoint, completed or not. */
  async discard(checkpointId: number): Promise<void> {
    await this.location(checkpointId).discard();
  }
}

/** Retention could not delete every checkpoint it should have; the job goes on, and the next retention tries again. */
export class CheckpointRetentionError extends Error {
  override readonly name = 'CheckpointRetentionError';

  constructor(
    message: string,
    /** Checkpoint directories left that retention should have deleted; null when storage could not be listed. */
    readonly leftBehind: number | null,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

function groupCheckpoints(entries: readonly StorageEntry[], directory: string): CheckpointDirectory[] {
  return listedDirectories(entries, directory, parseCheckpointDirectoryName).map(({ number, directory, completed }) => ({ checkpointId: number, directory, completed }));
}
