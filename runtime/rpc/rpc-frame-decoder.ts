import { unpack } from 'msgpackr';
import { checkRpcMessage, type RpcMessage } from './rpc-messages.ts';

/** A control-plane frame that cannot be read: the connection it came on is closed. */
export class RpcProtocolError extends Error {
  constructor(peer: string, reason: string) {
    super(`malformed RPC frame from ${peer}: ${reason}`);
    this.name = 'RpcProtocolError';
  }
}

/**
 * Splits a byte stream into control-plane frames — `u32 length | msgpack message` — and checks each
 * message. Pure bookkeeping over chunks; throws RpcProtocolError on a bad length, undecodable
 * payload or invalid message.
 */
export class RpcFrameDecoder {
  private pending: Buffer | null = null;

  constructor(
    private readonly peer: string,
    private readonly maxFrameSize: number,
  ) {}

  /** Bytes of an unfinished frame. */
  get bufferedBytes(): number {
    return this.pending?.length ?? 0;
  }

  push(chunk: Buffer, deliver: (message: RpcMessage) => void): void {
    const data = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = data.readUInt32BE(offset);
      if (length === 0 || length > this.maxFrameSize) throw new RpcProtocolError(this.peer, `frame length ${length} outside 1..${this.maxFrameSize}`);
      if (data.length - offset - 4 < length) break;
      const payload = data.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      let value: unknown;
      try {
        value = unpack(payload);
      } catch (e) {
        throw new RpcProtocolError(this.peer, `undecodable payload (${(e as Error).message})`);
      }
      try {
        deliver(checkRpcMessage(value));
      } catch (e) {
        if (e instanceof RpcProtocolError) throw e;
        throw new RpcProtocolError(this.peer, (e as Error).message);
      }
    }
    if (offset < data.length) this.pending = data.subarray(offset);
  }
}
