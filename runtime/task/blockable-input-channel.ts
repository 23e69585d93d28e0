import type { ChannelElement, InputChannel } from '../network/channel.ts';

/**
 * An input channel that barrier alignment can hold back: while blocked it offers nothing, so the
 * channel underneath is not polled, returns no credit, and its producer is backpressured instead
 * of the task buffering the held-back elements.
 */
export class BlockableInputChannel implements InputChannel {
  private blocked = false;
  private listener: (() => void) | undefined;

  constructor(private readonly channel: InputChannel) {
    channel.setAvailabilityListener(() => {
      if (!this.blocked) this.listener?.();
    });
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  poll(): ChannelElement | null {
    return this.blocked ? null : this.channel.poll();
  }

  setAvailabilityListener(listener: () => void): void {
    this.listener = listener;
  }

  block(): void {
    this.blocked = true;
  }

  /** Lets elements flow again; tells the gate, since notices that came while blocked were withheld. */
  unblock(): void {
    if (!this.blocked) return;
    this.blocked = false;
    this.listener?.();
  }

  close(): void {
    this.channel.close();
  }
}
