import type { ObjectStore } from '../fs/object-store.ts';
import { directoryPrefix, withoutTrailingSlashes } from '../fs/storage-path.ts';
import { CheckpointStorageLocation } from './checkpoint-location.ts';
import { checkpointsDirectory, jobDirectory, listedDirectories, parseCheckpointDirectoryName, runDirectory, type JobScope } from './storage-layout.ts';

/** Which runs are older than this one, and what of them stays (runtime `checkpointing.olderRuns`). */
export interface OlderRunsSettings {
  /** Runs are named `<runIdPrefix><n>`; this run's id must be one of them, and those with a lower `n` are older. */
  readonly runIdPrefix: string;
  /** Checkpoint or savepoint directories (URIs) still referred to, e.g. a restore point: kept with their run's folder. */
  readonly keep: readonly string[];
}

/** What one cleanup deleted. */
export interface OlderRunsCleanupResult {
  /** Runs whose folder was deleted whole. */
  readonly deletedRuns: readonly string[];
  /** Checkpoint directories deleted from runs that keep a referred-to checkpoint. */
  readonly deletedCheckpoints: readonly string[];
  /** Checkpoint directories of older runs kept because something refers to them. */
  readonly kept: readonly string[];
}

/**
 * Garbage collection of checkpoints across runs: once this run has completed a checkpoint of its own
 * it never goes back to an older run's checkpoints, so their folders are deleted, except for the
 * checkpoint directories something still refers to (the point this run restored from, those in
 * `keep`). Savepoints live beside the runs (`savepoints/`) and are never touched here. A completed
 * checkpoint loses its `_metadata` first, so one half deleted never looks complete.
 */
export class OlderRunsCleanup {
  private readonly runNumber: number;
  private done = false;

  constructor(
    private readonly storage: ObjectStore,
    private readonly scope: JobScope,
    jobId: string,
    private readonly settings: OlderRunsSettings,
  ) {
    const number = this.numberOf(jobId);
    if (number === undefined) throw new Error(`checkpointing.olderRuns.runIdPrefix "${settings.runIdPrefix}" does not name this run "${jobId}" (<prefix><number>)`);
    this.runNumber = number;
  }

  /** Whether a cleanup has succeeded: later calls of {@link run} do nothing. */
  get completed(): boolean {
    return this.done;
  }

  /**
   * Deletes the older runs' folders, keeping what `keep` and `restoredFrom` name. Call after this
   * run's checkpoint completed; once it succeeded, later calls do nothing. A failure rejects, and the
   * next call tries again.
   */
  async run(restoredFrom?: string): Promise<OlderRunsCleanupResult> {
    if (this.done) return { deletedRuns: [], deletedCheckpoints: [], kept: [] };
    const keep = new Set([...this.settings.keep, ...(restoredFrom === undefined ? [] : [restoredFrom])].map(withoutTrailingSlashes));
    const parent = jobDirectory(this.scope);
    const prefix = directoryPrefix(parent);
    const runs = new Set<string>();
    for (const entry of await this.storage.list(parent)) {
      const name = entry.path.slice(prefix.length).split('/')[0]!;
      const number = this.numberOf(name);
      if (number !== undefined && number < this.runNumber) runs.add(name);
    }
    const deletedRuns: string[] = [];
    const deletedCheckpoints: string[] = [];
    const kept: string[] = [];
    for (const runId of [...runs].sort()) {
      const directory = checkpointsDirectory(this.scope, runId);
      const checkpoints = listedDirectories(await this.storage.list(directory), directory, parseCheckpointDirectoryName);
      const referred = checkpoints.filter((c) => keep.has(this.storage.uriOf(c.directory)));
      for (const checkpoint of checkpoints) {
        if (referred.includes(checkpoint)) continue;
        await new CheckpointStorageLocation(this.storage, checkpoint.directory, 'checkpoint', checkpoint.number).discard();
        if (referred.length > 0) deletedCheckpoints.push(this.storage.uriOf(checkpoint.directory));
      }
      if (referred.length === 0) {
        await this.storage.deleteDirectory(runDirectory(this.scope, runId));
        deletedRuns.push(runId);
      } else kept.push(...referred.map((c) => this.storage.uriOf(c.directory)));
    }
    this.done = true;
    return { deletedRuns, deletedCheckpoints, kept };
  }

  private numberOf(runId: string): number | undefined {
    const { runIdPrefix } = this.settings;
    if (!runId.startsWith(runIdPrefix)) return undefined;
    const rest = runId.slice(runIdPrefix.length);
    return /^[1-9][0-9]{0,15}$/.test(rest) ? Number(rest) : undefined;
  }
}
