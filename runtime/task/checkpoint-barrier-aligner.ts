import type { BlockableInputChannel } from './blockable-input-channel.ts';
import type { CheckpointBarrierHandler } from './checkpoint-barrier-tracker.ts';

/** Called once a checkpoint's barriers are in on every live channel; the task snapshots then. */
export type AlignedCheckpoint = (checkpointId: number, timestamp: number, savepoint: boolean, alignmentDurationMs: number) => void;

/**
 * Exactly-once barrier alignment (Flink's aligned SingleCheckpointBarrierHandler): after barrier n
 * arrives on a channel, that channel is blocked until barrier n has arrived on every channel that
 * has not ended; then the task snapshots and the channels flow again. So the snapshot reflects
 * exactly the records before barrier n on every input. A newer barrier arriving while an older
 * checkpoint aligns abandons the older one (its coordinator times it out or has aborted it).
 */
export class CheckpointBarrierAligner implements CheckpointBarrierHandler {
  /** The checkpoint being aligned, or the last one aligned or abandoned. */
  private current = -1;
  private aligning = false;
  private arrived = 0;
  private ended = 0;
  private startedAt = 0;
  private timestamp = 0;
  private savepoint = false;

  constructor(
    private readonly channels: readonly BlockableInputChannel[],
    private readonly onAligned: AlignedCheckpoint,
  ) {}

  onBarrier(channel: number, checkpointId: number, timestamp: number, savepoint: boolean): void {
    if (checkpointId < this.current || (checkpointId === this.current && !this.aligning)) return;
    if (checkpointId > this.current) {
      if (this.aligning) this.releaseAll();
      this.current = checkpointId;
      this.aligning = true;
      this.arrived = 0;
      this.startedAt = performance.now();
      this.timestamp = timestamp;
      this.savepoint = savepoint;
    }
    this.channels[channel]!.block();
    this.arrived++;
    this.completeIfAligned();
  }

  /** An ended channel sends no more barriers; a blocked channel cannot end, so the counts never overlap. */
  onEndOfPartition(): void {
    this.ended++;
    this.completeIfAligned();
  }

  private completeIfAligned(): void {
    if (!this.aligning || this.arrived + this.ended < this.channels.length) return;
    this.aligning = false;
    try {
      // Snapshot first: the held-back elements belong after the checkpoint.
      this.onAligned(this.current, this.timestamp, this.savepoint, performance.now() - this.startedAt);
    } finally {
      this.releaseAll();
    }
  }

  private releaseAll(): void {
    for (const c of this.channels) c.unblock();
  }
}
