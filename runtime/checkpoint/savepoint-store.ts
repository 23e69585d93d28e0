import type { ObjectStore } from '../fs/object-store.ts';
import { CheckpointStorageLocation } from './checkpoint-location.ts';
import { listedDirectories, parseSavepointDirectoryName, savepointDirectory, savepointsDirectory, type JobScope } from './storage-layout.ts';

export interface SavepointDirectory {
  /** Trigger time, epoch milliseconds, as in the directory name. */
  timestamp: number;
  directory: string;
  uri: string;
  completed: boolean;
}

/**
 * Savepoints of a job, kept under the job's name (not a run) until deleted by hand, so every later
 * run of the same StreamJob finds them.
 */
export class SavepointStore {
  readonly directory: string;

  constructor(
    readonly storage: ObjectStore,
    readonly scope: JobScope,
  ) {
    this.directory = savepointsDirectory(scope);
  }

  /**
   * A fresh location for a savepoint triggered at `timestamp`; should one of that millisecond exist
   * already, the next free millisecond is taken, so a savepoint never lands in another's directory.
   */
  async newLocation(timestamp: number = Date.now()): Promise<CheckpointStorageLocation> {
    const taken = new Set((await this.savepoints()).map((savepoint) => savepoint.timestamp));
    let free = timestamp;
    while (taken.has(free)) free++;
    return this.location(free);
  }

  /** The location of the savepoint triggered at `timestamp`. */
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
