/** Sinks: a writer per subtask. The checkpoint hooks let transactional sinks commit on completion. */

export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attemptNumber: number;
  /** The job takes checkpoints: transactional writers commit on completion instead of at end of input. */
  readonly checkpointing: boolean;
}

export interface SinkWriter<T> {
  write(value: T, timestamp: number): void;
  /** End of input: everything written so far must be made durable/visible. */
  finish?(): void;
  /** Before a checkpoint barrier is forwarded: pending data belongs to this checkpoint. */
  snapshotState?(checkpointId: number): unknown[];
  notifyCheckpointComplete?(checkpointId: number): void;
  close?(): void;
}

export interface Sink<T> {
  createWriter(context: SinkWriterContext, restoredState: readonly unknown[]): SinkWriter<T>;
}
