import type { JobGraph, JobVertex } from '../graph/job-graph.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import type { RestoreProblem, UpgradePlan } from '../rest/upgrade-plan.ts';
import type { CheckpointMetadata, OperatorState } from './metadata.ts';

/** The checkpoint a job would restore: where it is, and its metadata. */
export interface CheckpointToRestore {
  readonly uri: string;
  readonly metadata: CheckpointMetadata;
}

/**
 * Every way `checkpoint` does not fit `graph` (the kinds are {@link RestoreProblem}'s), in the
 * metadata's operator order; empty when it restores. Key and state types are not recorded
 * (serializers have no identity), so they are not compared.
 */
export function restoreProblems(checkpoint: CheckpointToRestore, graph: JobGraph): RestoreProblem[] {
  const operators = new Map<string, { vertex: JobVertex; node: StreamNode }>();
  for (const vertex of graph.vertices) for (const node of vertex.operators) operators.set(node.operatorId, { vertex, node });
  const problems: RestoreProblem[] = [];
  for (const [operatorId, state] of Object.entries(checkpoint.metadata.operators)) {
    if (!hasState(state)) continue;
    const ids = { operatorId, ...(state.uid === undefined ? {} : { uid: state.uid }) };
    const what = describe(operatorId, state);
    const target = operators.get(operatorId);
    if (target === undefined) {
      const missing = state.uid === undefined ? 'that id (give stateful operators stable ids with .uid())' : 'that uid';
      problems.push({ kind: 'state-dropped', ...ids, message: `${what} has state in ${checkpoint.uri} but no operator of the new job has ${missing}` });
      continue;
    }
    const keyed = state.subtasks.some((s) => s.keyedState);
    if (keyed && state.maxParallelism !== target.vertex.maxParallelism) {
      problems.push({
        kind: 'max-parallelism-changed',
        ...ids,
        message: `${what} has keyed state in ${checkpoint.uri} for maxParallelism ${state.maxParallelism}, the new job has ${target.vertex.maxParallelism}; maxParallelism must not change`,
      });
    }
    if (keyed && target.node.keySelector === undefined) {
      problems.push({ kind: 'key-removed', ...ids, message: `${what} has keyed state in ${checkpoint.uri} but runs on a stream that is not keyed in the new job` });
    }
  }
  return problems;
}

/** Whether any subtask of the operator wrote state. */
export function hasState(state: OperatorState): boolean {
  return state.subtasks.some((s) => s.keyedState || s.operatorState);
}

function describe(operatorId: string, state: OperatorState): string {
  if (state.uid !== undefined) return `operator uid "${state.uid}"`;
  return `operator "${operatorId}"${state.name === undefined ? '' : ` (${state.name})`}`;
}

/** The verdict of `sluice plan`: `graph` started from `checkpoint` (none: nothing to restore, safe). */
export function upgradePlan(graph: JobGraph, checkpoint: (CheckpointToRestore & { readonly checkpointId: number }) | undefined): UpgradePlan {
  if (checkpoint === undefined) return { safe: true, problems: [], summary: 'no checkpoint or savepoint to restore: the job starts with empty state' };
  const problems = restoreProblems(checkpoint, graph);
  const where = { restorePoint: checkpoint.uri, checkpointId: checkpoint.checkpointId };
  if (problems.length > 0) return { safe: false, ...where, problems, summary: problems[0]!.message };
  const stateful = Object.values(checkpoint.metadata.operators).filter(hasState).length;
  return { safe: true, ...where, problems, summary: `all ${stateful} operators with state in ${checkpoint.uri} are in the new job, keyed alike with the same maxParallelism` };
}
