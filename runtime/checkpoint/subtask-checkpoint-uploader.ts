import type { TaskCheckpointAck } from '../task/task-checkpoint.ts';
import type { CheckpointStorageLocation } from './checkpoint-location.ts';
import type { WriteOptions } from '../fs/object-store.ts';
import type { OperatorSubtaskState } from './metadata.ts';
import type { SubtaskStateAck } from './pending-checkpoint.ts';
import { writeSubtaskState } from './subtask-state-writer.ts';

/**
 * Task side of a checkpoint: the snapshot a subtask took synchronously at the barrier is written to
 * storage asynchronously (processing goes on), and the acknowledgement carries the state handles.
 * An aborted checkpoint's `signal` stops its uploads.
 */
export async function uploadSubtaskSnapshot(location: CheckpointStorageLocation, ack: TaskCheckpointAck, options?: WriteOptions): Promise<SubtaskStateAck> {
  const states: Record<string, OperatorSubtaskState> = {};
  await Promise.all(
    ack.snapshots.map(async (snapshot) => {
      await snapshot.asyncPhase;
      const state = await writeSubtaskState(location, snapshot.operatorId, snapshot.subtaskIndex, snapshot, options);
      if (state.keyedState || state.operatorState) states[snapshot.operatorId] = state;
    }),
  );
  return { vertexId: ack.vertexId, subtaskIndex: ack.subtaskIndex, checkpointId: ack.checkpointId, states, alignmentDurationMs: ack.alignmentDurationMs };
}
