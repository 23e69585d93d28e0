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
  private readonly pending = new Map<number, { channels: Set<number>; timestamp: number; savepoint: boolean }>();
  private readonly ended = new Set<number>();
  private latestCompleted = -1;

  constructor(
    private readonly channels: number,
    private readonly onComplete: (checkpointId: number, timestamp: number, savepoint: boolean) => void,
  ) {}

  onBarrier(channel: number, checkpointId: number, timestamp: number, savepoint: boolean): void {
    if (checkpointId <= this.latestCompleted) return;
    const p = this.pending.get(checkpointId) ?? { channels: new Set<number>(), timestamp, savepoint };
    p.channels.add(channel);
    this.pending.set(checkpointId, p);
    this.completeReady();
  }

  /** A finished channel sends no more barriers: checkpoints waiting only for it are complete. */
  onEndOfPartition(channel: number): void {
    this.ended.add(channel);
    this.completeReady();
  }

  private completeReady(): void {
    for (const [id, p] of [...this.pending].sort((a, b) => a[0] - b[0])) {
      if (p.channels.size + this.endedOutside(p.channels) < this.channels) continue;
      this.latestCompleted = id;
      for (const older of this.pending.keys()) if (older <= id) this.pending.delete(older);
      this.onComplete(id, p.timestamp, p.savepoint);
    }
  }

  private endedOutside(seen: Set<number>): number {
    let n = 0;
    for (const c of this.ended) if (!seen.has(c)) n++;
    return n;
  }
}
