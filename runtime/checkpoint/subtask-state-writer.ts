import type { CheckpointStorageLocation } from './checkpoint-location.ts';
import type { WriteOptions } from '../fs/object-store.ts';
import type { DistributionMode, KeyGroupRange, ListStateOffsets, OperatorSubtaskState } from './metadata.ts';

/** The bytes of one key group (its keyed state and timers), as the state backend encodes them. */
export interface KeyGroupBytes {
  readonly keyGroup: number;
  readonly bytes: Uint8Array;
}

/** One operator list state, one byte string per entry. */
export interface ListStateBytes {
  readonly name: string;
  readonly entries: ReadonlyArray<Uint8Array>;
  /** Default `split`. */
  readonly mode?: DistributionMode;
}

/** A subtask's snapshot of one operator (shaped like runtime/state's OperatorSnapshot). */
export interface SubtaskSnapshot {
  /** The subtask's key groups; null for an operator without keyed state. */
  readonly keyGroupRange: KeyGroupRange | null;
  /** Ascending, within the range; groups without state may be left out. */
  readonly keyGroups: ReadonlyArray<KeyGroupBytes>;
  readonly operatorState: ReadonlyArray<ListStateBytes>;
}

/**
 * Writes one subtask's snapshot of one operator as a single state file: its key groups in order,
 * then the entries of its operator list states; the returned handles locate each piece by offset,
 * so a restore at any parallelism reads exactly the bytes it needs.
 */
export async function writeSubtaskState(
  location: CheckpointStorageLocation,
  operatorId: string,
  subtask: number,
  snapshot: SubtaskSnapshot,
  options?: WriteOptions,
): Promise<OperatorSubtaskState> {
  const where = `operator "${operatorId}" subtask ${subtask}`;
  const chunks: Uint8Array[] = [];
  let position = 0;
  const append = (bytes: Uint8Array) => {
    chunks.push(bytes);
    position += bytes.byteLength;
  };

  let keyGroupOffsets: number[] | undefined;
  const range = snapshot.keyGroupRange;
  if (range) {
    keyGroupOffsets = [0];
    let next = 0;
    for (let group = range.start; group <= range.end; group++) {
      const blob = snapshot.keyGroups[next];
      if (blob?.keyGroup === group) {
        append(blob.bytes);
        next++;
      }
      keyGroupOffsets.push(position);
    }
    if (next !== snapshot.keyGroups.length) {
      const stray = snapshot.keyGroups[next]!.keyGroup;
      throw new RangeError(`${where}: key group ${stray} is out of order or outside the subtask's range ${range.start}-${range.end}`);
    }
  } else if (snapshot.keyGroups.length > 0) {
    throw new RangeError(`${where}: key groups given without a key-group range`);
  }

  const states: Record<string, ListStateOffsets> = {};
  for (const list of snapshot.operatorState) {
    if (list.name in states) throw new RangeError(`${where}: operator state "${list.name}" appears twice`);
    const offsets = [position];
    for (const entry of list.entries) {
      append(entry);
      offsets.push(position);
    }
    states[list.name] = { mode: list.mode ?? 'split', offsets };
  }

  if (!keyGroupOffsets && snapshot.operatorState.length === 0) return {};
  const file = await location.writeState(operatorId, subtask, fromArray(chunks), options);
  const state: OperatorSubtaskState = {};
  if (range && keyGroupOffsets) state.keyedState = { ...file, keyGroupRange: { start: range.start, end: range.end }, offsets: keyGroupOffsets };
  if (snapshot.operatorState.length > 0) state.operatorState = { ...file, states };
  return state;
}

async function* fromArray(chunks: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}
