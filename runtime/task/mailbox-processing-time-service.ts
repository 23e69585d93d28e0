import type { ProcessingTimeService } from '../core/processing-time-service.ts';

/** setTimeout's limit; a callback due later runs early and must check the time itself (timer services do). */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** Processing time from the wall clock, delivered through a mailbox. */
export class MailboxProcessingTimeService implements ProcessingTimeService {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly enqueue: (action: () => void) => void) {}

  now(): number {
    return Date.now();
  }

  schedule(at: number, callback: () => void): void {
    if (this.closed) return;
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      if (!this.closed) this.enqueue(callback);
    }, Math.min(MAX_TIMEOUT, Math.max(0, at - Date.now())));
    this.pending.add(handle);
  }

  /** Cancels every scheduled callback. */
  close(): void {
    this.closed = true;
    for (const h of this.pending) clearTimeout(h);
    this.pending.clear();
  }
}
