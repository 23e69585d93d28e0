/**
 * Which checkpoints end the job (Flink's final checkpoint, FLIP-147): one triggered when every
 * subtask had already reached the end of its input, or a stop-with-savepoint. When such a checkpoint
 * completes, the subtasks are told it was final and exit; when it is aborted, it is forgotten and a
 * later one will be final instead. Kept by the JobMaster for a cluster and by the LocalExecutor in
 * one process, so both decide it alike.
 */
export class FinalCheckpoints {
  private readonly ids = new Set<number>();

  /** Checkpoint `id` was triggered: it is final if it stops the job or every subtask had ended. */
  triggered(id: number, stop: boolean | undefined, allEnded: boolean): void {
    if (stop || allEnded) this.ids.add(id);
  }

  /** Checkpoint `id` completed: true if the subtasks exit after it. */
  completed(id: number): boolean {
    return this.ids.delete(id);
  }

  aborted(id: number): void {
    this.ids.delete(id);
  }

  clear(): void {
    this.ids.clear();
  }
}
