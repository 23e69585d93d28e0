/**
 * The entries of a `split` list state (a source's split positions) that subtask `subtask` of
 * `parallelism` restores, given the entries each old subtask wrote (`bySubtask[i]`: old subtask i's,
 * in order). At unchanged parallelism every subtask keeps its own; otherwise all entries, in
 * old-subtask order, are dealt out in contiguous near-equal slices, the first subtasks taking one
 * more (Flink's round-robin repartitioning). New subtasks beyond the entries get none. Pure; the
 * one assignment for restores from storage and from in-process snapshots.
 */
export function splitStateAssignment<T>(bySubtask: ReadonlyArray<ReadonlyArray<T>>, parallelism: number, subtask: number): T[] {
  if (!Number.isSafeInteger(parallelism) || parallelism < 1 || !Number.isSafeInteger(subtask) || subtask < 0 || subtask >= parallelism) {
    throw new RangeError(`subtask ${subtask} of parallelism ${parallelism} does not exist`);
  }
  if (parallelism === bySubtask.length) return [...bySubtask[subtask]!];
  const items = bySubtask.flat() as T[];
  const base = Math.floor(items.length / parallelism);
  const remainder = items.length % parallelism;
  const start = subtask * base + Math.min(subtask, remainder);
  return items.slice(start, start + base + (subtask < remainder ? 1 : 0));
}
