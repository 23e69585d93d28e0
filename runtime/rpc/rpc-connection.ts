import type { Socket } from 'node:net';
import { pack } from 'msgpackr';
import { RpcFrameDecoder, RpcProtocolError } from './rpc-frame-decoder.ts';
import type { RpcMessage } from './rpc-messages.ts';

export const DEFAULT_MAX_RPC_FRAME = 64 * 1024 * 1024;

export interface RpcHandlers {
  message(message: RpcMessage): void;
  /** Once, when the connection is gone: `error` null after a deliberate close by either side. */
  closed(error: Error | null): void;
}

/**
 * One control-plane connection: length-prefixed msgpack messages over a TCP socket, both ways.
 * A malformed or truncated frame closes the connection with an RpcProtocolError naming the peer.
 */
export class RpcConnection {
  private readonly decoder: RpcFrameDecoder;
  private handlers: RpcHandlers | null;
  private done = false;
  private failure: Error | null = null;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    handlers: RpcHandlers,
    maxFrameSize = DEFAULT_MAX_RPC_FRAME,
  ) {
    this.handlers = handlers;
    this.decoder = new RpcFrameDecoder(peer, maxFrameSize);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.done) return;
      try {
        this.decoder.push(chunk, (m) => {
          if (!this.done) this.handlers?.message(m);
        });
      } catch (e) {
        this.fail(e as Error);
      }
    });
    socket.on('error', (e) => {
      this.failure ??= new Error(`RPC connection to ${peer} failed: ${e.message}`);
    });
    socket.on('close', () => {
      if (!this.done && this.decoder.bufferedBytes > 0) {
        this.failure ??= new RpcProtocolError(peer, `connection closed in the middle of a frame (${this.decoder.bufferedBytes} bytes)`);
      }
      this.finish(this.failure ?? (this.done ? null : new Error(`RPC connection to ${peer} closed`)));
    });
  }

  send(message: RpcMessage): void {
    if (this.done || this.socket.destroyed) return;
    const payload = pack(message);
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(payload.length, 0);
    this.socket.cork();
    this.socket.write(header);
    this.socket.write(payload);
    this.socket.uncork();
  }

  /** Closes deliberately; pending writes are flushed first. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  private fail(error: Error): void {
    this.failure = error;
    this.socket.destroy();
  }

  private finish(error: Error | null): void {
    const handlers = this.handlers;
    this.handlers = null;
    this.done = true;
    handlers?.closed(error);
  }
}
