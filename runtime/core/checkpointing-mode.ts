/**
 * How checkpoint barriers are handled at a task with several input channels: `exactly-once` aligns
 * them (a channel's records after barrier n wait until n has arrived on every channel),
 * `at-least-once` does not, so records after the barrier may be in the snapshot's past and replayed.
 */
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

export const CHECKPOINTING_MODES: readonly CheckpointingMode[] = ['exactly-once', 'at-least-once'];
