import { decodeBatchPayload } from './batch-frame.ts';
import type { ChannelElement, InputChannel } from './channel.ts';
import { FrameType, HEADER_BYTES } from './frame.ts';
import { decodeEvent, isEndOfPartition } from './frame-codec.ts';
import { ProtocolError } from './protocol-error.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';

/** What a receiving channel needs from the connection its data arrives on. */
export interface CreditLink {
  readonly peer: string;
  /** The channel consumed frames: grant the sender that many more credits. */
  returnCredit(channel: RemoteInputChannel): void;
}

/**
 * The receiving end of a channel from another process. Frames are kept as received (raw bytes)
 * and decoded when the task polls them, so a slow task holds compact bytes, and data may arrive
 * before the task registers the channel and its serializer. At most `capacity` frames are ever
 * held: that is all the credit the sender gets, and more is a protocol violation.
 */
export class RemoteInputChannel implements InputChannel {
  private readonly frames: Buffer[] = [];
  private readonly types: FrameType[] = [];
  private link: CreditLink | null = null;
  private serializer: TypeSerializer | null = null;
  private listener: (() => void) | null = null;
  private failure: Error | null = null;
  private finished = false;
  private closed = false;
  /** Bytes of the frames received so far, headers included (the channel's "bytes in"). */
  receivedBytes = 0;
  /** Credits earned by polling, not yet sent back. */
  pendingCredits = 0;

  /** Data address of the producer's process, if the task knows it: its connection closing fails this channel even before any data came. */
  producer: string | null = null;

  constructor(
    readonly channelId: number,
    private readonly capacity: number,
  ) {}

  /** True once data arrived, tying the channel to one connection. */
  get bound(): boolean {
    return this.link !== null;
  }

  get registered(): boolean {
    return this.serializer !== null;
  }

  /** True once end-of-partition arrived (polled or not) or the task closed the channel: nothing more is expected. */
  get done(): boolean {
    return this.finished || this.closed;
  }

  get bufferedFrames(): number {
    return this.frames.length;
  }

  register(serializer: TypeSerializer): void {
    this.serializer = serializer;
    if (this.frames.length > 0 || this.failure !== null) this.listener?.();
  }

  /** A frame of this channel arrived on `link`. Throws a ProtocolError if the sender broke the rules. */
  deliver(link: CreditLink, type: FrameType, payload: Buffer): void {
    if (this.link === null) this.link = link;
    else if (this.link !== link) {
      throw new ProtocolError('protocol violation', `channel ${this.channelId} already receives from ${this.link.peer}`);
    }
    if (this.closed) return;
    if (this.finished) throw new ProtocolError('protocol violation', `frame on channel ${this.channelId} after its end-of-partition`);
    if (this.frames.length >= this.capacity) {
      throw new ProtocolError('protocol violation', `more than ${this.capacity} frames on channel ${this.channelId} without credit`);
    }
    this.receivedBytes += HEADER_BYTES + payload.length;
    this.frames.push(payload);
    this.types.push(type);
    if (type === FrameType.EVENT && isEndOfPartition(payload)) this.finished = true;
    if (this.frames.length === 1 && this.serializer !== null) this.listener?.();
  }

  poll(): ChannelElement | null {
    if (this.closed || this.serializer === null) return null;
    if (this.frames.length === 0) {
      if (this.failure !== null) throw this.failure;
      return null;
    }
    const payload = this.frames.shift()!;
    const type = this.types.shift()!;
    this.pendingCredits++;
    this.link!.returnCredit(this);
    try {
      if (type === FrameType.DATA) return decodeBatchPayload(payload, this.serializer);
      return decodeEvent(payload);
    } catch (error) {
      const peer = this.link!.peer;
      throw error instanceof ProtocolError ? error.fromPeer(`${peer} on channel ${this.channelId}`) : error;
    }
  }

  setAvailabilityListener(listener: () => void): void {
    this.listener = listener;
  }

  close(): void {
    this.closed = true;
    this.frames.length = 0;
    this.types.length = 0;
  }

  /** The connection failed: the task sees the error once it has polled what arrived before. */
  fail(error: Error): void {
    if (this.done || this.failure !== null) return;
    this.failure = error;
    this.listener?.();
  }
}
