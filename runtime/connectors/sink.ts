/** Sinks: a writer per subtask. The checkpoint hooks let transactional sinks commit on completion. */

export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attemptNumber: number;
  /** The job takes checkpoints: transactional writers commit on completion instead of at end of input. */
  readonly checkpointing: boolean;
}

/** A writer's state at a checkpoint barrier. */
export interface SinkWriterSnapshot {
  readonly state: readonly unknown[];
  /**
   * Work the state relies on that still runs after the barrier (the upload of a pre-committed
   * transaction): the checkpoint is acknowledged once it resolves, and declined if it rejects.
   */
  readonly asyncPhase?: Promise<void>;
}

export interface SinkWriter<T> {
  /** Never blocks; a writer that buffers for something slower says so through `isAvailable`. */
  write(value: T, timestamp: number): void;
  /** False while the writer has no room for more records (its upload is behind): the task stops feeding it. */
  isAvailable?(): boolean;
  /** Resolves when `isAvailable()` becomes true. */
  availability?(): Promise<void>;
  /** End of input: everything written so far must be made durable/visible (a promise: once it resolves). */
  finish?(): void | Promise<void>;
  /** Before a checkpoint barrier is forwarded: pending data belongs to this checkpoint. */
  snapshotState?(checkpointId: number): SinkWriterSnapshot;
  /** A returned promise settles when the commits the notice started are done; it rejects if one failed. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): void;
}

export interface Sink<T> {
  createWriter(context: SinkWriterContext, restoredState: readonly unknown[]): SinkWriter<T>;
}
