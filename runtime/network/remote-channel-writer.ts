import { BatchFrameEncoder } from './batch-frame.ts';
import type { OutgoingFrame } from './batch-frame.ts';
import type { ChannelWriter } from './channel.ts';
import { CreditGate } from './credit-gate.ts';
import { encodeEvent } from './frame-codec.ts';
import type { NetworkOptions } from './network-options.ts';
import type { ControlEvent } from './stream-element.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';

/** What a writer needs from the connection that carries its channel. */
export interface SendLink {
  /** The peer, for error messages. */
  readonly peer: string;
  /** The writer has frames queued: send what its credits allow, now or when the socket can take them. */
  send(writer: RemoteChannelWriter): void;
  /** The writer is done with the connection. */
  release(writer: RemoteChannelWriter): void;
}

const INITIAL_BYTES_PER_RECORD = 32;

/**
 * The sending end of a channel to another process. Records collect in two reused arrays and are
 * encoded as one batch when it is full (bytes or records) or when the buffer timeout fires; the
 * encoded frame then waits in the channel's CreditGate until the receiver has room for it.
 */
export class RemoteChannelWriter implements ChannelWriter {
  private readonly values: unknown[] = [];
  private readonly timestamps: number[] = [];
  private readonly encoder: BatchFrameEncoder;
  readonly gate: CreditGate;
  private recordLimit: number;
  private timer: NodeJS.Timeout | null = null;
  private timerArmed = false;
  private ended = false;
  private closing = false;
  private failed = false;
  /** Why records are refused: the channel failed, was cancelled, or ended. */
  private refusal: Error | null = null;

  constructor(
    readonly channelId: number,
    private readonly link: SendLink,
    serializer: TypeSerializer,
    private readonly options: NetworkOptions,
  ) {
    this.encoder = new BatchFrameEncoder(channelId, serializer);
    this.gate = new CreditGate(options.maxQueuedBuffers);
    this.recordLimit = this.limitFor(INITIAL_BYTES_PER_RECORD);
  }

  emit(value: unknown, timestamp: number): void {
    if (this.refusal !== null) throw this.refusal;
    const count = this.values.push(value);
    this.timestamps.push(timestamp);
    if (count >= this.recordLimit) this.flush();
    else if (!this.timerArmed) this.armTimer();
  }

  emitEvent(event: ControlEvent): void {
    if (this.refusal !== null) throw this.refusal;
    this.flush();
    const frame = encodeEvent(this.channelId, event);
    this.gate.enqueue({ head: frame, body: null, bytes: frame.length });
    if (event.kind === 'end-of-partition') {
      this.ended = true;
      this.refusal = new Error(`channel ${this.channelId} to ${this.link.peer} is past its end-of-partition`);
    }
    this.link.send(this);
  }

  flush(): void {
    const count = this.values.length;
    if (count === 0) return;
    if (this.refusal !== null) throw this.refusal;
    try {
      this.enqueueBatch(this.values, this.timestamps);
    } finally {
      this.values.length = 0;
      this.timestamps.length = 0;
    }
    this.link.send(this);
  }

  /**
   * The record limit is a guess from earlier batches' sizes, so a run of larger records can
   * encode past the frame limit the receiver enforces: such a batch goes out in halves instead
   * (rare, so the slices cost nothing on the usual path). Only one record above the limit fails.
   */
  private enqueueBatch(values: unknown[], timestamps: number[]): void {
    const count = values.length;
    const frame = this.encoder.encode(values, timestamps);
    if (frame.bytes > this.options.maxFrameSize) {
      if (count === 1) {
        throw new Error(
          `channel ${this.channelId} to ${this.link.peer}: a record encodes to ${frame.bytes} bytes, above network.maxFrameSize (${this.options.maxFrameSize} bytes); raise network.bufferSize or network.maxFrameSize`,
        );
      }
      const half = count >>> 1;
      this.enqueueBatch(values.slice(0, half), timestamps.slice(0, half));
      this.enqueueBatch(values.slice(half), timestamps.slice(half));
      return;
    }
    // Adapt the record limit so that the next batch lands near bufferSize bytes.
    this.recordLimit = this.limitFor((frame.bytes - frame.head.length) / count);
    this.gate.enqueue(frame);
  }

  isAvailable(): boolean {
    return this.gate.isAvailable();
  }

  availability(): Promise<void> {
    return this.gate.availability();
  }

  /**
   * After end-of-partition, queued frames still go out as credits arrive, then the channel is
   * released. Otherwise (cancellation) queued and buffered records are dropped at once.
   */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerArmed = false;
    if (!this.ended) {
      this.values.length = 0;
      this.timestamps.length = 0;
      this.gate.clear();
      // Records emitted after cancellation would be dropped: make that an error instead.
      this.refusal = new Error(`channel ${this.channelId} to ${this.link.peer} is closed`);
    }
    if (this.gate.queuedFrames === 0) this.link.release(this);
  }

  /** Bytes of frames handed to the socket so far (the channel's "bytes out"). */
  sentBytes = 0;

  /** Bytes encoded but not yet handed to the socket. */
  get queuedBytes(): number {
    return this.gate.queuedBytes;
  }

  /** True once closed and nothing is left to send. */
  get drained(): boolean {
    return this.closing && this.gate.queuedFrames === 0;
  }

  /** The connection's next frame of this channel, if the receiver has granted room. */
  nextFrame(): OutgoingFrame | null {
    const frame = this.gate.take();
    if (frame !== null) this.sentBytes += frame.bytes;
    return frame;
  }

  fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.refusal = error;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerArmed = false;
    this.values.length = 0;
    this.timestamps.length = 0;
    this.gate.fail(error);
  }

  private readonly onTimeout = (): void => {
    this.timerArmed = false;
    if (!this.failed && !this.closing) this.flush();
  };

  private armTimer(): void {
    if (this.options.bufferTimeout === 0) {
      this.flush();
      return;
    }
    this.timerArmed = true;
    if (this.timer === null) this.timer = setTimeout(this.onTimeout, this.options.bufferTimeout);
    else this.timer.refresh();
  }

  private limitFor(bytesPerRecord: number): number {
    return Math.max(1, Math.min(this.options.bufferRecords, Math.floor(this.options.bufferSize / Math.max(1, bytesPerRecord))));
  }
}
