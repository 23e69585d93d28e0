import { unpack } from 'msgpackr';
import { checkRpcMessage, type RpcMessage } from './rpc-messages.ts';

/** A control-plane frame that cannot be read: the connection it came on is closed. */
export class RpcProtocolError extends Error {
  constructor(peer: string, reason: string) {
    super(`malformed RPC frame from ${peer}: ${reason}`);
    this.name = 'RpcProtocolError';
  }
}

const LENGTH_BYTES = 4;

/**
 * Splits a byte stream into control-plane frames — `u32 length | msgpack value` — and unpacks each.
 * Received chunks are kept in a list until a frame is complete, then copied once into it (a frame
 * inside one chunk is a view, not a copy); a length outside 1..`maxFrameSize` throws before anything
 * is buffered for it. Throws RpcProtocolError on a bad length or an undecodable payload; after that
 * the decoder is unusable and the connection must close.
 */
export class RpcFrameDecoder {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame being received, -1 before its length field is complete. */
  private frameLength = -1;

  /** `maxFrameSize` may change between frames, e.g. once the peer authenticated. */
  constructor(
    private readonly peer: string,
    public maxFrameSize: number,
  ) {}

  /** Bytes of an unfinished frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Feeds a chunk; `deliver` gets each complete frame's value and may throw to stop at once. */
  push(chunk: Buffer, deliver: (value: unknown) => void): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.frameLength < 0) {
        if (this.buffered < LENGTH_BYTES) return;
        const length = this.take(LENGTH_BYTES).readUInt32BE(0);
        if (length === 0 || length > this.maxFrameSize) throw new RpcProtocolError(this.peer, `frame length ${length} outside 1..${this.maxFrameSize}`);
        this.frameLength = length;
      }
      if (this.buffered < this.frameLength) return;
      const payload = this.take(this.frameLength);
      this.frameLength = -1;
      let value: unknown;
      try {
        value = unpack(payload);
      } catch (e) {
        throw new RpcProtocolError(this.peer, `undecodable payload (${(e as Error).message})`);
      }
      deliver(value);
    }
  }

  /** Removes the first `n` buffered bytes: a view when the first chunk holds them, else one copy. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let bytes: Buffer;
    if (first.length >= n) {
      bytes = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      bytes = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[0]!;
        const used = Math.min(chunk.length, n - filled);
        chunk.copy(bytes, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(used);
      }
    }
    this.buffered -= n;
    return bytes;
  }
}

/** The RpcMessage a frame from `peer` holds, or an RpcProtocolError naming what is wrong with it. */
export function readRpcMessage(peer: string, value: unknown): RpcMessage {
  try {
    return checkRpcMessage(value);
  } catch (e) {
    throw new RpcProtocolError(peer, (e as Error).message);
  }
}
