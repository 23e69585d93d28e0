import type { ObjectStore } from '../fs/object-store.ts';
import type { KeyGroupRange, OperatorState } from './metadata.ts';
import { keyedStateReadPlan, operatorStateReadPlan, type ListEntryRange } from './state-assignment.ts';
import type { KeyGroupBytes } from './subtask-state-writer.ts';
import { joinPath } from '../fs/storage-path.ts';

/** Shaped like runtime/state's OperatorStateRestore. */
export interface SubtaskRestore {
  /** Ascending; key groups without state are left out. */
  keyGroups: KeyGroupBytes[];
  operatorState: Array<{ name: string; entries: Buffer[] }>;
}

/**
 * Reads what one subtask restores from a checkpoint, at the checkpoint's parallelism or another:
 * its key groups and its share of the operator list states, fetched as byte ranges.
 *
 * @param directory the checkpoint's directory relative to the storage root (VerifiedCheckpoint.directory)
 * @param keyGroupRange the restoring subtask's key groups; null when the operator has no keyed state
 */
export async function readSubtaskState(
  storage: ObjectStore,
  directory: string,
  state: OperatorState,
  keyGroupRange: KeyGroupRange | null,
  parallelism: number,
  subtask: number,
): Promise<SubtaskRestore> {
  const keyedReads = keyGroupRange ? keyedStateReadPlan(state, keyGroupRange) : [];
  const [keyed, lists] = await Promise.all([
    Promise.all(keyedReads.map((range) => storage.readRange(joinPath(directory, range.path), range.offset, range.length))),
    readListEntries(storage, directory, operatorStateReadPlan(state, parallelism, subtask)),
  ]);
  const keyGroups: KeyGroupBytes[] = [];
  keyedReads.forEach((range, i) => {
    const bytes = keyed[i]!;
    for (let group = range.keyGroups.start; group <= range.keyGroups.end; group++) {
      const at = group - range.keyGroups.start;
      const start = range.keyGroupOffsets[at]!;
      const end = range.keyGroupOffsets[at + 1]!;
      if (end > start) keyGroups.push({ keyGroup: group, bytes: bytes.subarray(start, end) });
    }
  });
  return { keyGroups, operatorState: lists };
}

/** Reads each file's span of wanted entries once, then cuts the entries out of it. */
async function readListEntries(storage: ObjectStore, directory: string, plan: Map<string, ListEntryRange[]>): Promise<Array<{ name: string; entries: Buffer[] }>> {
  const spans = new Map<string, { start: number; end: number }>();
  for (const entries of plan.values()) {
    for (const entry of entries) {
      const span = spans.get(entry.path) ?? { start: entry.offset, end: entry.offset + entry.length };
      span.start = Math.min(span.start, entry.offset);
      span.end = Math.max(span.end, entry.offset + entry.length);
      spans.set(entry.path, span);
    }
  }
  const contents = new Map(
    await Promise.all(
      [...spans].map(async ([path, span]) => [path, { span, bytes: await storage.readRange(joinPath(directory, path), span.start, span.end - span.start) }] as const),
    ),
  );
  return [...plan].map(([name, entries]) => ({
    name,
    entries: entries.map((entry) => {
      const { span, bytes } = contents.get(entry.path)!;
      return bytes.subarray(entry.offset - span.start, entry.offset - span.start + entry.length);
    }),
  }));
}
