import { HEADER_BYTES, LENGTH_BYTES, MIN_FRAME_LENGTH, frameTypeName, isFrameType } from './frame.ts';
import type { FrameType } from './frame.ts';
import { ProtocolError } from './protocol-error.ts';

/** Receives each complete frame; `payload` may be a view into the socket's chunk. */
export type FrameHandler = (type: FrameType, channelId: number, payload: Buffer) => void;

/**
 * Splits a TCP byte stream into frames, whatever the chunking: a chunk may hold many frames,
 * and a frame may span many chunks. Complete frames inside a chunk are handed over as views
 * without copying; only a frame split across chunks is assembled into one buffer, allocated
 * once at its full size. Throws a ProtocolError on a bad length or type; after that the
 * decoder is unusable and the connection must close.
 */
export class FrameDecoder {
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerFilled = 0;
  private frame: Buffer | null = null;
  private frameFilled = 0;

  /** `maxFrameLength` may change between frames, e.g. once the peer authenticated. */
  constructor(
    public maxFrameLength: number,
    private readonly onFrame: FrameHandler,
  ) {}

  push(chunk: Buffer): void {
    let offset = this.headerFilled > 0 ? this.continuePartial(chunk, 0) : 0;
    const length = chunk.length;
    while (length - offset >= HEADER_BYTES && this.headerFilled === 0) {
      const frameLength = chunk.readUInt32BE(offset);
      this.checkLength(frameLength);
      const type = chunk[offset + LENGTH_BYTES]!;
      this.checkType(type);
      const end = offset + LENGTH_BYTES + frameLength;
      if (end > length) break;
      this.onFrame(type as FrameType, chunk.readUInt32BE(offset + 5), chunk.subarray(offset + HEADER_BYTES, end));
      offset = end;
    }
    while (offset < length) offset = this.continuePartial(chunk, offset);
  }

  /** The stream ended; throws if it ended inside a frame. */
  end(): void {
    if (this.frame !== null) {
      throw new ProtocolError('truncated frame', `connection closed after ${this.frameFilled} of ${this.frame.length} bytes of a ${frameTypeName(this.header[LENGTH_BYTES]!)} frame`);
    }
    if (this.headerFilled > 0) {
      throw new ProtocolError('truncated frame', `connection closed after ${this.headerFilled} of ${HEADER_BYTES} bytes of a frame header`);
    }
  }

  /** Feeds bytes of a frame split across chunks; returns the offset of the first unused byte. */
  private continuePartial(chunk: Buffer, offset: number): number {
    if (this.frame === null) {
      const before = this.headerFilled;
      const n = Math.min(HEADER_BYTES - before, chunk.length - offset);
      chunk.copy(this.header, before, offset, offset + n);
      this.headerFilled += n;
      offset += n;
      if (before < LENGTH_BYTES && this.headerFilled >= LENGTH_BYTES) this.checkLength(this.header.readUInt32BE(0));
      if (before <= LENGTH_BYTES && this.headerFilled > LENGTH_BYTES) this.checkType(this.header[LENGTH_BYTES]!);
      if (this.headerFilled < HEADER_BYTES) return offset;
      this.frame = Buffer.allocUnsafe(LENGTH_BYTES + this.header.readUInt32BE(0));
      this.header.copy(this.frame, 0);
      this.frameFilled = HEADER_BYTES;
    }
    const frame = this.frame;
    const n = Math.min(frame.length - this.frameFilled, chunk.length - offset);
    chunk.copy(frame, this.frameFilled, offset, offset + n);
    this.frameFilled += n;
    offset += n;
    if (this.frameFilled === frame.length) {
      this.frame = null;
      this.headerFilled = 0;
      this.onFrame(frame[LENGTH_BYTES] as FrameType, frame.readUInt32BE(5), frame.subarray(HEADER_BYTES));
    }
    return offset;
  }

  private checkLength(frameLength: number): void {
    if (frameLength < MIN_FRAME_LENGTH) {
      throw new ProtocolError('malformed frame', `frame length ${frameLength} is below the minimum of ${MIN_FRAME_LENGTH} bytes`);
    }
    if (frameLength > this.maxFrameLength) {
      throw new ProtocolError('malformed frame', `frame length ${frameLength} exceeds the limit of ${this.maxFrameLength} bytes`);
    }
  }

  private checkType(type: number): void {
    if (!isFrameType(type)) throw new ProtocolError('malformed frame', `unknown frame type ${type}`);
  }
}
