// Savepoints of a job, kept under the job's name (not a run) until deleted by hand, so every later
// run of the same StreamJob finds them.
import type { CheckpointStorage } from './checkpoint-storage.ts';
import { CheckpointStorageLocation } from './checkpoint-location.ts';
import { listedDirectories, parseSavepointDirectoryName, savepointDirectory, savepointsDirectory, type JobScope } from './storage-layout.ts';

export interface SavepointDirectory {
  /** Trigger time, epoch milliseconds, as in the directory name. */
  timestamp: number;
  directory: string;
  uri: string;
  completed: boolean;
}

export class SavepointStore {
  readonly directory: string;

  constructor(
    readonly storage: CheckpointStorage,
    readonly scope: JobScope,
  ) {
    this.directory = savepointsDirectory(scope);
  }

  location(timestamp: number): CheckpointStorageLocation {
    return new CheckpointStorageLocation(this.storage, savepointDirectory(this.scope, timestamp), 'savepoint');
  }

  /** Every sp-<timestamp> directory, oldest first. */
  async savepoints(): Promise<SavepointDirectory[]> {
    return listedDirectories(await this.storage.list(this.directory), this.directory, parseSavepointDirectoryName).map(({ number, directory, completed }) => ({
      timestamp: number,
      directory,
      uri: this.storage.uriOf(directory),
      completed,
    }));
  }

  /** Deletes a savepoint; savepoints are never deleted otherwise. */
  async discard(timestamp: number): Promise<void> {
    await this.location(timestamp).discard();
  }
}
