import { randomUUID } from 'node:crypto';
import { withoutTrailingSlashes } from '../fs/storage-path.ts';
import type { SavepointDisposalTrigger } from '../cluster/checkpoint-hooks.ts';
import type { SavepointDisposalStatus } from '../rest/rest-types.ts';
import type { SavepointStore } from './savepoint-store.ts';
import { parseSavepointDirectoryName } from './storage-layout.ts';

/** Statuses kept for `GET /savepoint-disposal/:triggerId`; older ones are forgotten first. */
const KEPT_STATUSES = 256;

/**
 * Disposes of savepoints of one job on request (Flink's savepoint disposal), the JobManager's side
 * of the operator's savepoint history policy: the operator holds no storage credentials, the
 * JobManager does. A path is accepted only when it names a `sp-<n>` directory of the job's own
 * savepoint folder, exactly as recorded (`SavepointStore.savepoints()` URIs), and not the point this
 * run restored from. Deleting a directory that is gone succeeds, so disposal is idempotent.
 */
export class SavepointDisposal {
  private readonly statuses = new Map<string, SavepointDisposalStatus>();

  constructor(
    private readonly savepoints: SavepointStore,
    /** The checkpoint or savepoint this run restored from, once known. */
    private readonly restoredFrom: () => string | undefined,
  ) {}

  /** Starts disposing of `path` and returns the trigger id, or why it is refused (nothing is deleted then). */
  trigger(path: string): SavepointDisposalTrigger {
    const timestamp = this.savepointTimestamp(path);
    if (timestamp === undefined) {
      const parent = this.savepoints.storage.uriOf(this.savepoints.directory);
      return { refused: 'outside', message: `${JSON.stringify(path)} is not a savepoint of this job: only ${parent}/sp-<n> directories are disposed of` };
    }
    const restored = this.restoredFrom();
    if (restored !== undefined && withoutTrailingSlashes(restored) === this.savepoints.location(timestamp).uri) {
      return { refused: 'in-use', message: `savepoint ${path} is the one this run restored from; it is not disposed of` };
    }
    const triggerId = randomUUID();
    this.remember(triggerId, { status: { id: 'IN_PROGRESS' } });
    this.savepoints.discard(timestamp).then(
      () => this.remember(triggerId, { status: { id: 'COMPLETED' }, operation: {} }),
      (error: unknown) => this.remember(triggerId, { status: { id: 'COMPLETED' }, operation: { failureCause: (error as Error).message } }),
    );
    return { triggerId };
  }

  status(triggerId: string): SavepointDisposalStatus | undefined {
    return this.statuses.get(triggerId);
  }

  /** The `sp-<n>` timestamp `path` names, when it is a savepoint directory of this job. */
  private savepointTimestamp(path: string): number | undefined {
    const parent = `${this.savepoints.storage.uriOf(this.savepoints.directory)}/`;
    const wanted = withoutTrailingSlashes(path);
    return wanted.startsWith(parent) ? parseSavepointDirectoryName(wanted.slice(parent.length)) : undefined;
  }

  private remember(triggerId: string, status: SavepointDisposalStatus): void {
    this.statuses.delete(triggerId);
    this.statuses.set(triggerId, status);
    if (this.statuses.size > KEPT_STATUSES) this.statuses.delete(this.statuses.keys().next().value!);
  }
}
