import type { JobGraph } from '../graph/job-graph.ts';

export interface SlotOffer {
  readonly taskManagerId: string;
  readonly slots: number;
}

/** `vertexId/subtaskIndex` -> the TaskManager it runs on. */
export type SlotAssignment = ReadonlyMap<string, string>;

export const subtaskKey = (vertexId: string, subtaskIndex: number): string => `${vertexId}/${subtaskIndex}`;

/** Slots a job needs with slot sharing: one slot holds one subtask of every vertex (Flink's default group). */
export function requiredSlots(graph: JobGraph): number {
  return Math.max(1, ...graph.vertices.map((v) => v.parallelism));
}

/**
 * Places subtasks into slots, spread evenly: slots are taken round-robin over the TaskManagers
 * (first slot of each, then second slot of each, ...), and subtask i of every vertex shares slot i.
 * Pure; throws when the offers hold fewer slots than the job needs.
 */
export function assignSlots(graph: JobGraph, offers: readonly SlotOffer[]): SlotAssignment {
  const needed = requiredSlots(graph);
  const ordered = [...offers].sort((a, b) => a.taskManagerId.localeCompare(b.taskManagerId));
  const slots: string[] = [];
  for (let round = 0; slots.length < needed && ordered.some((o) => o.slots > round); round++) {
    for (const o of ordered) if (o.slots > round && slots.length < needed) slots.push(o.taskManagerId);
  }
  if (slots.length < needed) throw new Error(`job "${graph.jobName}" needs ${needed} slots, ${slots.length} are offered`);
  const assignment = new Map<string, string>();
  for (const v of graph.vertices) for (let i = 0; i < v.parallelism; i++) assignment.set(subtaskKey(v.id, i), slots[i]!);
  return assignment;
}
