/**
 * Counts checkpoint barriers per checkpoint over a task's input channels and reports a checkpoint
 * once its barrier has arrived on every channel. It does not block channels (at-least-once, as
 * Flink's CheckpointBarrierTracker); exactly-once alignment replaces it in the checkpoint issue
 * behind the same two calls.
 */
export interface CheckpointBarrierHandler {
  /** A barrier arrived on `channel`. */
  onBarrier(channel: number, checkpointId: number, timestamp: number, savepoint: boolean): void;
  /** `channel` finished; it will deliver no more barriers. */
  onEndOfPartition(channel: number): void;
}

export class CheckpointBarrierTracker implements CheckpointBarrierHandler {
  private readonly pending = new Map<number, Set<number>>();
  private readonly ended = new Set<number>();
  private latestCompleted = -1;

  constructor(
    private readonly channels: number,
    private readonly onComplete: (checkpointId: number, timestamp: number, savepoint: boolean) => void,
  ) {}

  onBarrier(channel: number, checkpointId: number, timestamp: number, savepoint: boolean): void {
    if (checkpointId <= this.latestCompleted) return;
    const seen = this.pending.get(checkpointId) ?? new Set<number>();
    seen.add(channel);
    this.pending.set(checkpointId, seen);
    if (seen.size + this.endedOutside(seen) < this.channels) return;
    this.latestCompleted = checkpointId;
    for (const id of this.pending.keys()) if (id <= checkpointId) this.pending.delete(id);
    this.onComplete(checkpointId, timestamp, savepoint);
  }

  onEndOfPartition(channel: number): void {
    this.ended.add(channel);
  }

  private endedOutside(seen: Set<number>): number {
    let n = 0;
    for (const c of this.ended) if (!seen.has(c)) n++;
    return n;
  }
}
