import type { Sink, SinkWriter } from '../connectors/sink.ts';
import type { ListState } from '../state/keyed-state.ts';
import type { OperatorSnapshot } from '../state/state-snapshot.ts';
import { AbstractStreamOperator } from './abstract-stream-operator.ts';

/** Writes every record to the subtask's SinkWriter; the end of a chain. */
export class SinkOperator<T> extends AbstractStreamOperator {
  private writer!: SinkWriter<T>;
  private state!: ListState<unknown>;

  constructor(private readonly sink: Sink<T>) {
    super();
  }

  override open(): void {
    this.state = this.operatorState.getListState('sink');
    this.writer = this.sink.createWriter(
      { subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism, attemptNumber: this.ctx.attemptNumber, checkpointing: this.ctx.checkpointing },
      [...this.state.get()],
    );
  }

  processElement(value: unknown, timestamp: number): void {
    this.writer.write(value as T, timestamp);
  }

  isAvailable(): boolean {
    return this.writer.isAvailable?.() ?? true;
  }

  availability(): Promise<void> {
    return this.writer.availability?.() ?? Promise.resolve();
  }

  override finish(): void | Promise<void> {
    return this.writer.finish?.();
  }

  override snapshotState(checkpointId: number): OperatorSnapshot {
    const snapshot = this.writer.snapshotState?.(checkpointId);
    this.state.update(snapshot?.state ?? []);
    const operatorSnapshot = super.snapshotState(checkpointId);
    // The acknowledgement waits for the writer's upload of what the state refers to.
    return snapshot?.asyncPhase ? { ...operatorSnapshot, asyncPhase: snapshot.asyncPhase } : operatorSnapshot;
  }

  override notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.writer.notifyCheckpointComplete?.(checkpointId);
  }

  override close(): void {
    this.writer?.close?.();
  }
}
