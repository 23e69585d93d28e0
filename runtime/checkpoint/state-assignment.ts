// Which bytes of a checkpoint a subtask reads on restore, also at a parallelism other than the
// checkpoint's (rescaling). Keyed state moves by whole key groups; operator list state is
// redistributed by its distribution mode. Pure: the restore code fetches the ranges.
import { splitStateAssignment } from '../state/split-state-assignment.ts';
import type { DistributionMode, KeyGroupRange, OperatorState } from './metadata.ts';

/** A byte range of one state file holding consecutive key groups. */
export interface KeyGroupsRange {
  /** Relative to the checkpoint directory. */
  path: string;
  offset: number;
  length: number;
  keyGroups: KeyGroupRange;
  /**
   * Key group `keyGroups.start + i` is bytes [keyGroupOffsets[i], keyGroupOffsets[i + 1]) of the
   * range (relative to `offset`), so there is one entry more than key groups.
   */
  keyGroupOffsets: number[];
}

/** One entry of an operator list state. */
export interface ListEntryRange {
  path: string;
  offset: number;
  length: number;
}

/**
 * The ranges of the operator's keyed state that hold the key groups of `range`, ordered by key group.
 * Key groups held by no subtask had no keyed state and need no reading.
 */
export function keyedStateReadPlan(state: OperatorState, range: KeyGroupRange): KeyGroupsRange[] {
  if (range.start > range.end || range.start < 0 || range.end >= state.maxParallelism) {
    throw new RangeError(`key-group range ${range.start}-${range.end} is not within 0-${state.maxParallelism - 1} (the checkpoint's maxParallelism is ${state.maxParallelism})`);
  }
  const plan: KeyGroupsRange[] = [];
  for (const { keyedState } of state.subtasks) {
    if (!keyedState) continue;
    const first = Math.max(range.start, keyedState.keyGroupRange.start);
    const last = Math.min(range.end, keyedState.keyGroupRange.end);
    if (first > last) continue;
    const from = first - keyedState.keyGroupRange.start;
    const to = last - keyedState.keyGroupRange.start + 1;
    const offset = keyedState.offsets[from]!;
    plan.push({
      path: keyedState.path,
      offset,
      length: keyedState.offsets[to]! - offset,
      keyGroups: { start: first, end: last },
      keyGroupOffsets: keyedState.offsets.slice(from, to + 1).map((position) => position - offset),
    });
  }
  return plan.sort((a, b) => a.keyGroups.start - b.keyGroups.start);
}

/**
 * The list entries, by state name, that subtask `subtask` of `parallelism` restores: `split` state
 * by `splitStateAssignment`, `union` state whole, `broadcast` state as old subtask 0 wrote it. Every
 * name the checkpoint holds is in the plan, with no entries where the subtask gets none.
 */
export function operatorStateReadPlan(state: OperatorState, parallelism: number, subtask: number): Map<string, ListEntryRange[]> {
  if (!Number.isSafeInteger(parallelism) || parallelism < 1 || !Number.isSafeInteger(subtask) || subtask < 0 || subtask >= parallelism) {
    throw new RangeError(`subtask ${subtask} of parallelism ${parallelism} does not exist`);
  }
  const entries = new Map<string, { mode: DistributionMode; bySubtask: ListEntryRange[][] }>();
  state.subtasks.forEach(({ operatorState }, index) => {
    if (!operatorState) return;
    for (const [name, list] of Object.entries(operatorState.states)) {
      const found = entries.get(name) ?? { mode: list.mode, bySubtask: state.subtasks.map(() => []) };
      if (found.mode !== list.mode) {
        throw new RangeError(`operator state "${name}" is recorded with distribution modes ${found.mode} and ${list.mode}`);
      }
      for (let i = 0; i + 1 < list.offsets.length; i++) {
        found.bySubtask[index]!.push({ path: operatorState.path, offset: list.offsets[i]!, length: list.offsets[i + 1]! - list.offsets[i]! });
      }
      entries.set(name, found);
    }
  });
  const plan = new Map<string, ListEntryRange[]>();
  for (const [name, { mode, bySubtask }] of entries) {
    if (mode === 'broadcast') plan.set(name, bySubtask[0] ?? []);
    else if (mode === 'union') plan.set(name, bySubtask.flat());
    else plan.set(name, splitStateAssignment(bySubtask, parallelism, subtask));
  }
  return plan;
}
