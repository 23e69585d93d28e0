import type { OperatorResult } from '../api/job-execution-result.ts';
import type { JobGraph } from '../graph/job-graph.ts';

/** One subtask's counts for one chained operator, however they were collected. */
export interface OperatorCounts {
  readonly operatorId: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** Records in/out per operator of the graph, summed over its subtasks (what `sluice run` prints). */
export function operatorResults(graph: JobGraph | null | undefined, counts: readonly OperatorCounts[]): OperatorResult[] {
  return (graph?.vertices ?? []).flatMap((v) =>
    v.operators.map((n) => {
      const mine = counts.filter((c) => c.operatorId === n.operatorId);
      return {
        operatorId: n.operatorId,
        name: n.name,
        uid: n.uid,
        parallelism: n.parallelism,
        recordsIn: mine.reduce((s, c) => s + c.recordsIn, 0),
        recordsOut: mine.reduce((s, c) => s + c.recordsOut, 0),
      };
    }),
  );
}
