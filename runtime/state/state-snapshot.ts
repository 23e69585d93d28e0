import { deserialize, serialize } from 'node:v8';
import { splitStateAssignment } from './split-state-assignment.ts';
import type { StateEntries } from './heap-keyed-state-backend.ts';
import { inKeyGroupRange, keyGroupRangeFor, type KeyGroupRange } from '../core/key-group.ts';
import type { TimerEntry } from './timer-service.ts';
import type { DistributionMode } from './operator-state-store.ts';

/**
 * The state of one operator in one subtask at a checkpoint, in the shape that storage needs:
 * keyed state (with its timers) as one blob per key group, operator list state as one blob per
 * entry. Both can be redistributed to another parallelism without decoding.
 */
export interface OperatorSnapshot {
  readonly operatorId: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange | null;
  /** Only key groups that hold state or timers. */
  readonly keyGroups: ReadonlyArray<KeyGroupBlob>;
  readonly operatorState: ReadonlyArray<OperatorListBlob>;
  /**
   * Work the snapshot's state refers to that is still running at the barrier (a sink's upload of its
   * pre-committed transaction): the acknowledgement waits for it; a rejection declines the checkpoint.
   */
  readonly asyncPhase?: Promise<void>;
}

export interface KeyGroupBlob {
  readonly keyGroup: number;
  readonly bytes: Uint8Array;
}

export interface OperatorListBlob {
  readonly name: string;
  readonly entries: ReadonlyArray<Uint8Array>;
  /** How a restore distributes the entries; absent: `split`. */
  readonly mode?: DistributionMode;
}

/** The part of old snapshots that belongs to one new subtask. */
export interface OperatorStateRestore {
  readonly keyGroups: ReadonlyArray<KeyGroupBlob>;
  readonly operatorState: ReadonlyArray<OperatorListBlob>;
}

/** Decoded content of a key group blob. */
export interface KeyGroupContent {
  readonly states: Array<[string, StateEntries]>;
  readonly timers: TimerEntry[];
}

export function encodeKeyGroup(content: KeyGroupContent): Uint8Array {
  return serialize(content);
}

export function decodeKeyGroup(bytes: Uint8Array): KeyGroupContent {
  return deserialize(bytes) as KeyGroupContent;
}

export function encodeEntry(value: unknown): Uint8Array {
  return serialize(value);
}

export function decodeEntry(bytes: Uint8Array): unknown {
  return deserialize(bytes);
}

/** One self-describing byte string per operator snapshot (for storage that wants a single file). */
export function encodeOperatorSnapshot(snapshot: OperatorSnapshot): Uint8Array {
  return serialize(snapshot);
}

export function decodeOperatorSnapshot(bytes: Uint8Array): OperatorSnapshot {
  return deserialize(bytes) as OperatorSnapshot;
}

/**
 * Selects what subtask `subtaskIndex` of `parallelism` restores from the snapshots of all old
 * subtasks of an operator: the key groups in its new range, and its share of each operator list
 * state by `splitStateAssignment` (the same as a restore from storage).
 */
export function assignStateToSubtask(
  snapshots: readonly OperatorSnapshot[],
  maxParallelism: number,
  parallelism: number,
  subtaskIndex: number,
): OperatorStateRestore {
  const oldMax = snapshots.find((s) => s.keyGroupRange !== null)?.maxParallelism;
  if (oldMax !== undefined && oldMax !== maxParallelism) {
    throw new Error(
      `operator ${snapshots[0]!.operatorId}: cannot restore keyed state written with maxParallelism ${oldMax} ` +
        `into maxParallelism ${maxParallelism}; maxParallelism must not change`,
    );
  }
  const range = keyGroupRangeFor(maxParallelism, parallelism, subtaskIndex);
  const ordered = [...snapshots].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
  const keyGroups = ordered.flatMap((s) => s.keyGroups.filter((g) => inKeyGroupRange(range, g.keyGroup)));
  const oldParallelism = ordered[0]?.parallelism ?? parallelism;
  const lists = new Map<string, { mode: DistributionMode; bySubtask: Uint8Array[][] }>();
  for (const s of ordered) {
    for (const l of s.operatorState) {
      const list = lists.get(l.name) ?? { mode: l.mode ?? 'split', bySubtask: Array.from({ length: oldParallelism }, (): Uint8Array[] => []) };
      list.bySubtask[s.subtaskIndex]!.push(...l.entries);
      lists.set(l.name, list);
    }
  }
  // Broadcast state: every new subtask gets what old subtask 0 wrote (the only one that writes it).
  const operatorState = [...lists].map(([name, { mode, bySubtask }]) => ({
    name,
    mode,
    entries: mode === 'broadcast' ? [...bySubtask[0]!] : splitStateAssignment(bySubtask, parallelism, subtaskIndex),
  }));
  return { keyGroups, operatorState };
}

export const EMPTY_RESTORE: OperatorStateRestore = { keyGroups: [], operatorState: [] };
