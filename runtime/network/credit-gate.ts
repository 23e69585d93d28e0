import type { OutgoingFrame } from './batch-frame.ts';

/**
 * The sender's side of credit-based flow control for one channel. A frame leaves only against a
 * credit the receiver granted (one credit = one frame the receiver has room for). Frames waiting
 * for credit queue here; once `maxQueued` are waiting the gate is unavailable, and the producer
 * is expected to wait on `availability()`. So a channel's sender memory is bounded by
 * `maxQueued` frames here plus the receiver's credits in flight.
 */
export class CreditGate {
  private credits = 0;
  private readonly queue: OutgoingFrame[] = [];
  private queued = 0;
  private waiter: Promise<void> | null = null;
  private resolveWaiter: (() => void) | null = null;
  private rejectWaiter: ((error: Error) => void) | null = null;
  private failure: Error | null = null;

  constructor(private readonly maxQueued: number) {}

  /** Bytes of the frames waiting for credit or for the socket. */
  get queuedBytes(): number {
    return this.queued;
  }

  get queuedFrames(): number {
    return this.queue.length;
  }

  get availableCredits(): number {
    return this.credits;
  }

  grant(credits: number): void {
    this.credits += credits;
  }

  enqueue(frame: OutgoingFrame): void {
    this.queue.push(frame);
    this.queued += frame.bytes;
  }

  /** The next frame if the receiver has room for it (spending one credit), else null. */
  take(): OutgoingFrame | null {
    if (this.credits === 0 || this.queue.length === 0) return null;
    this.credits--;
    const frame = this.queue.shift()!;
    this.queued -= frame.bytes;
    if (this.resolveWaiter !== null && this.queue.length < this.maxQueued) {
      const resolve = this.resolveWaiter;
      this.clearWaiter();
      resolve();
    }
    return frame;
  }

  isAvailable(): boolean {
    return this.failure === null && this.queue.length < this.maxQueued;
  }

  /** Resolves once fewer than `maxQueued` frames wait; rejects if the channel fails meanwhile. */
  availability(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.queue.length < this.maxQueued) return Promise.resolve();
    this.waiter ??= new Promise<void>((resolve, reject) => {
      this.resolveWaiter = resolve;
      this.rejectWaiter = reject;
    });
    return this.waiter;
  }

  /** Drops queued frames (cancellation) and wakes a waiting producer. */
  clear(): void {
    this.queue.length = 0;
    this.queued = 0;
    if (this.resolveWaiter !== null) {
      const resolve = this.resolveWaiter;
      this.clearWaiter();
      resolve();
    }
  }

  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.queue.length = 0;
    this.queued = 0;
    if (this.rejectWaiter !== null) {
      const reject = this.rejectWaiter;
      this.clearWaiter();
      reject(error);
    }
  }

  private clearWaiter(): void {
    this.waiter = null;
    this.resolveWaiter = null;
    this.rejectWaiter = null;
  }
}
