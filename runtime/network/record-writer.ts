import type { ChannelWriter } from './channel.ts';
import type { ChannelSelector } from './partitioner.ts';
import type { ControlEvent } from './stream-element.ts';
import type { RecordTarget } from '../operators/output.ts';

/**
 * Writes a task's records of one outgoing edge into that edge's channels, chosen by the
 * partitioner. It is the chain's last record target on that edge: records go to one channel (or
 * all, for broadcast), watermarks and idleness to every channel.
 */
export class RecordWriter implements RecordTarget {
  private readonly single: ChannelWriter | undefined;

  constructor(
    readonly channels: readonly ChannelWriter[],
    private readonly selector: ChannelSelector,
  ) {
    this.single = channels.length === 1 ? channels[0] : undefined;
  }

  emit(value: unknown, timestamp: number): void {
    if (this.single !== undefined) this.single.emit(value, timestamp);
    else if (this.selector.broadcast) for (let i = 0; i < this.channels.length; i++) this.channels[i]!.emit(value, timestamp);
    else this.channels[this.selector.select(value)]!.emit(value, timestamp);
  }

  processElement(value: unknown, timestamp: number): void {
    this.emit(value, timestamp);
  }

  processWatermark(timestamp: number): void {
    this.broadcastEvent({ kind: 'watermark', timestamp });
  }

  processIdle(idle: boolean): void {
    this.broadcastEvent({ kind: 'idle', idle });
  }

  broadcastEvent(event: ControlEvent): void {
    for (const c of this.channels) c.emitEvent(event);
  }

  flush(): void {
    for (const c of this.channels) c.flush();
  }

  isAvailable(): boolean {
    for (const c of this.channels) if (!c.isAvailable()) return false;
    return true;
  }

  availability(): Promise<void> {
    return Promise.all(this.channels.filter((c) => !c.isAvailable()).map((c) => c.availability())).then(() => undefined);
  }

  close(): void {
    for (const c of this.channels) c.close();
  }
}
