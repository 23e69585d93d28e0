import type { ProcessingTimeService } from '../core/processing-time-service.ts';

/**
 * Processing time that moves only when a test says so (Flink's TestProcessingTimeService):
 * `setCurrentTime` runs, in time order, every callback due by then, including those that the
 * callbacks themselves schedule for times not after it.
 */
export class ManualProcessingTimeService implements ProcessingTimeService {
  private current: number;
  private readonly scheduled: { at: number; seq: number; callback: () => void }[] = [];
  private seq = 0;

  constructor(startTime = 0) {
    this.current = startTime;
  }

  now(): number {
    return this.current;
  }

  schedule(at: number, callback: () => void): void {
    this.scheduled.push({ at, seq: this.seq++, callback });
  }

  /** Callbacks scheduled and not yet run. */
  get pendingCount(): number {
    return this.scheduled.length;
  }

  /** Moves processing time to `time` (never backwards) and runs what became due. */
  setCurrentTime(time: number): void {
    if (time < this.current) throw new RangeError(`processing time cannot go back from ${this.current} to ${time}`);
    this.current = time;
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.scheduled.length; i++) {
        const s = this.scheduled[i]!;
        if (s.at > time) continue;
        const best = this.scheduled[next];
        if (next < 0 || s.at < best!.at || (s.at === best!.at && s.seq < best!.seq)) next = i;
      }
      if (next < 0) return;
      this.scheduled.splice(next, 1)[0]!.callback();
    }
  }
}
