import type { ChannelElement, InputChannel } from './channel.ts';

/**
 * A task's input: all channels of all its incoming edges, read in round-robin among those that
 * have data. The task is told (through one listener) when any channel has something new.
 */
export class InputGate {
  /** Index of the channel the last polled element came from. */
  lastChannel = -1;
  private readonly ready: number[] = [];
  private readonly queued: boolean[];
  private listener: (() => void) | undefined;

  constructor(readonly channels: readonly InputChannel[]) {
    this.queued = channels.map(() => true);
    channels.forEach((_, i) => this.ready.push(i));
    channels.forEach((c, i) =>
      c.setAvailabilityListener(() => {
        if (!this.queued[i]) {
          this.queued[i] = true;
          this.ready.push(i);
        }
        this.listener?.();
      }),
    );
  }

  get size(): number {
    return this.channels.length;
  }

  setAvailabilityListener(listener: () => void): void {
    this.listener = listener;
  }

  /** Next element of some channel, or null when none has any buffered. */
  pollNext(): ChannelElement | null {
    while (this.ready.length > 0) {
      const i = this.ready.shift()!;
      const element = this.channels[i]!.poll();
      if (element === null) {
        this.queued[i] = false;
        continue;
      }
      this.ready.push(i);
      this.lastChannel = i;
      return element;
    }
    return null;
  }

  close(): void {
    for (const c of this.channels) c.close();
  }
}
