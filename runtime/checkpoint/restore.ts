// Where a starting job takes its state from, and each subtask's share of it. A run's own state
// comes first (a completed checkpoint or savepoint of it means a restart after a crash), then the newest state of
// `restoreFromRun` (a previous run), then `restoreFrom` (a savepoint or a previous run's checkpoint);
// newer checkpoints that fail verification are skipped with their reasons. State is read by key-group range and list-state plan, so any parallelism works.
import type { JobGraph } from '../graph/job-graph.ts';
import { keyGroupRangeFor } from '../core/key-group.ts';
import type { OperatorSnapshot, OperatorStateRestore } from '../state/state-snapshot.ts';
import type { ObjectStore } from '../fs/object-store.ts';
import { CheckpointVerificationError, type SkippedCheckpoint, type VerifiedCheckpoint } from './checkpoint-verification.ts';
import type { CompletedCheckpointStore } from './completed-checkpoint-store.ts';
import type { S3ConnectionOptions } from '../fs/open-object-store.ts';
import { openCheckpointAt } from './open-checkpoint.ts';
import type { RestoreProblem } from '../rest/upgrade-plan.ts';
import { hasState, restoreProblems } from './restore-compatibility.ts';
import { findLatestOfRun } from './previous-run.ts';
import type { JobScope } from './storage-layout.ts';
import { readSubtaskState } from './subtask-state-reader.ts';

export interface RestorePoint {
  /** The storage the checkpoint's handles are read from (rooted at the run's storage or at the checkpoint). */
  readonly storage: ObjectStore;
  readonly checkpoint: VerifiedCheckpoint;
  /**
   * `own-run`: a checkpoint of this run (restart after a crash); `previous-run`: the newest state of
   * `restoreFromRun`; `restore-from`: the run's starting point.
   */
  readonly origin: 'own-run' | 'previous-run' | 'restore-from';
  /** Releases the storage when it was opened for `restoreFrom`. */
  close(): Promise<void>;
}

export interface RestoreDecision {
  readonly point?: RestorePoint;
  /** Newer completed checkpoints of the run that failed verification, newest first. */
  readonly skipped: SkippedCheckpoint[];
}

/**
 * Where the run starts from. A previous run (`restoreFromRun`, in the same storage) whose completed
 * checkpoints and savepoints all fail verification fails the restore, naming why: starting older
 * than state whose output sinks may have committed would publish it again.
 */
export async function findRestorePoint(store: CompletedCheckpointStore, restoreFrom?: string, s3?: S3ConnectionOptions, restoreFromRun?: string): Promise<RestoreDecision> {
  // Savepoints of this run count as its checkpoints do: one that completed committed its sinks,
  // so a JobManager restarted after it must not go back to the checkpoint before it.
  const latest = await findLatestOfRun(store.storage, store.scope, store.jobId);
  if (latest.checkpoint) {
    return { point: { storage: store.storage, checkpoint: latest.checkpoint, origin: 'own-run', close: async () => {} }, skipped: latest.skipped };
  }
  return findStartingPoint(store.storage, store.scope, { restoreFrom, s3, restoreFromRun }, latest.skipped);
}

/**
 * Where a new run starts from, its own state aside: the newest verified state of `restoreFromRun`,
 * else `restoreFrom` (what `sluice plan` compares an upgrade with, as the run will start from it).
 */
export async function findStartingPoint(
  storage: ObjectStore,
  scope: JobScope,
  { restoreFrom, s3, restoreFromRun }: { restoreFrom?: string | undefined; s3?: S3ConnectionOptions | undefined; restoreFromRun?: string | undefined },
  skippedBefore: SkippedCheckpoint[] = [],
): Promise<RestoreDecision> {
  let skipped = skippedBefore;
  if (restoreFromRun !== undefined) {
    const previous = await findLatestOfRun(storage, scope, restoreFromRun);
    skipped = [...skipped, ...previous.skipped];
    if (previous.checkpoint) return { point: { storage, checkpoint: previous.checkpoint, origin: 'previous-run', close: async () => {} }, skipped };
    if (previous.skipped.length > 0) throw new CheckpointVerificationError(`run ${restoreFromRun}`, previous.skipped.flatMap((s) => s.reasons));
  }
  if (restoreFrom === undefined) return { skipped };
  const opened = await openCheckpointAt(restoreFrom, s3);
  return { point: { storage: opened.storage, checkpoint: opened.checkpoint, origin: 'restore-from', close: () => opened.storage.close() }, skipped };
}

/**
 * Checks that the checkpoint fits the job (restore-compatibility.ts): throws naming the first
 * problem. With `allowNonRestoredState`, as Flink's `--allowNonRestoredState`, state of operators
 * the job no longer has is left behind, reported through `dropped`.
 */
export function checkCompatible(point: RestorePoint, graph: JobGraph, allowNonRestoredState = false, dropped: (problem: RestoreProblem) => void = () => {}): void {
  for (const problem of restoreProblems(point.checkpoint, graph)) {
    if (allowNonRestoredState && problem.kind === 'state-dropped') {
      dropped(problem);
      continue;
    }
    throw new Error(`Cannot restore job "${graph.jobName}": ${problem.message}${problem.kind === 'state-dropped' ? ' (allowNonRestoredState starts the job without it)' : ''}`);
  }
}

/** What subtask `subtask` of `parallelism` restores for one operator; undefined when the checkpoint has none. */
export async function readSubtaskRestore(point: RestorePoint, operatorId: string, maxParallelism: number, parallelism: number, subtask: number): Promise<OperatorStateRestore | undefined> {
  const state = point.checkpoint.metadata.operators[operatorId];
  if (!state || !hasState(state)) return undefined;
  const range = state.subtasks.some((s) => s.keyedState) ? keyGroupRangeFor(maxParallelism, parallelism, subtask) : null;
  return readSubtaskState(point.storage, point.checkpoint.directory, state, range, parallelism, subtask);
}

/**
 * Every old subtask's snapshot per operator id, as in-process executors take them (they assign
 * state to new subtasks themselves, at any parallelism).
 */
export async function readOperatorSnapshots(point: RestorePoint): Promise<Map<string, OperatorSnapshot[]>> {
  const result = new Map<string, OperatorSnapshot[]>();
  for (const [operatorId, state] of Object.entries(point.checkpoint.metadata.operators)) {
    if (!hasState(state)) continue;
    const keyed = state.subtasks.some((s) => s.keyedState);
    const snapshots = await Promise.all(
      state.subtasks.map(async (_, subtaskIndex): Promise<OperatorSnapshot> => {
        const keyGroupRange = keyed ? keyGroupRangeFor(state.maxParallelism, state.parallelism, subtaskIndex) : null;
        const restore = await readSubtaskState(point.storage, point.checkpoint.directory, state, keyGroupRange, state.parallelism, subtaskIndex);
        return { operatorId, subtaskIndex, parallelism: state.parallelism, maxParallelism: state.maxParallelism, keyGroupRange, ...restore };
      }),
    );
    result.set(operatorId, snapshots);
  }
  return result;
}

/** The state of the savepoint or checkpoint at `uri` (verified first) per operator, for in-process executors. */
export async function readSnapshotsAt(uri: string, s3?: S3ConnectionOptions): Promise<{ checkpoint: VerifiedCheckpoint; snapshots: Map<string, OperatorSnapshot[]> }> {
  const { storage, checkpoint } = await openCheckpointAt(uri, s3);
  try {
    return { checkpoint, snapshots: await readOperatorSnapshots({ storage, checkpoint, origin: 'restore-from', close: () => storage.close() }) };
  } finally {
    await storage.close();
  }
}
