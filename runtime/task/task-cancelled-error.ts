/** How a task's run() rejects when it was cancelled (a failover or a cancel, not a failure of its own). */
export class TaskCancelledError extends Error {
  constructor(task: string) {
    super(`task ${task} was cancelled`);
    this.name = 'TaskCancelledError';
  }
}
