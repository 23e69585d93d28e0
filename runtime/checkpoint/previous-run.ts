import type { ObjectStore } from '../fs/object-store.ts';
import { loadCheckpoint, type SkippedCheckpoint, type VerifiedCheckpoint } from './checkpoint-verification.ts';
import { CompletedCheckpointStore } from './completed-checkpoint-store.ts';
import { SavepointStore } from './savepoint-store.ts';
import type { JobScope } from './storage-layout.ts';

/** What a previous run of the job left in storage, as {@link findLatestOfRun} finds it. */
export interface PreviousRunState {
  /** Its newest completed checkpoint or savepoint that verifies. */
  readonly checkpoint?: VerifiedCheckpoint;
  /** Newer completed ones that failed verification, newest first. */
  readonly skipped: SkippedCheckpoint[];
}

/**
 * The newest state run `runId` of the job left, found by listing storage (`job.restoreFromRun`: the
 * operator's last-state and fallback upgrades, which may not know it): the newest completed checkpoint
 * or savepoint of that run that verifies, walking back past those that do not. Savepoints count
 * because a stop-with-savepoint whose answer was lost (its JobManager gone) may have completed and
 * its sinks committed: starting from an older checkpoint would publish their records again.
 * Checkpoints and savepoints of one run share its ids, so the higher id is the newer state.
 */
export async function findLatestOfRun(storage: ObjectStore, scope: JobScope, runId: string): Promise<PreviousRunState> {
  const latest = await new CompletedCheckpointStore(storage, scope, runId).findLatest();
  const skipped: SkippedCheckpoint[] = [];
  // Only savepoints triggered after the newest usable checkpoint can be newer state.
  const since = latest.checkpoint?.metadata.timestamp ?? -Infinity;
  const savepoints = (await new SavepointStore(storage, scope).savepoints()).filter((s) => s.completed && s.timestamp >= since).reverse();
  for (const savepoint of savepoints) {
    const result = await loadCheckpoint(storage, savepoint.directory);
    if (!result.ok) {
      skipped.push({ checkpointId: -1, uri: savepoint.uri, reasons: result.reasons });
      continue;
    }
    const { metadata } = result.checkpoint;
    if (metadata.jobId !== runId || metadata.checkpointId <= (latest.checkpoint?.checkpointId ?? -1)) continue;
    return { checkpoint: result.checkpoint, skipped };
  }
  return { ...(latest.checkpoint ? { checkpoint: latest.checkpoint } : {}), skipped: [...skipped, ...latest.skipped] };
}
