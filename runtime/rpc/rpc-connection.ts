import type { Socket } from 'node:net';
import { pack } from 'msgpackr';
import { RpcAuthentication, type RpcAuthMessage, type RpcSide } from './rpc-authentication.ts';
import { RpcFrameDecoder, RpcProtocolError, readRpcMessage } from './rpc-frame-decoder.ts';
import type { RpcMessage } from './rpc-messages.ts';

/** Largest frame of an authenticated peer: deployments and acks may carry inline state. */
export const DEFAULT_MAX_RPC_FRAME = 64 * 1024 * 1024;
/** Largest frame before the peer authenticated: the exchange's messages are about 100 bytes. */
export const MAX_UNAUTHENTICATED_RPC_FRAME = 4096;

export interface RpcHandlers {
  message(message: RpcMessage): void;
  /** Once, when the connection is gone: `error` null after a deliberate close by either side. */
  closed(error: Error | null): void;
  /** The peer proved it holds the run key (at once when authentication is disabled). */
  authenticated?(): void;
}

export interface RpcConnectionOptions {
  /** Which end this process is: the JobManager challenges, a TaskManager answers. */
  readonly side: RpcSide;
  /** The run key peers prove they hold; null: authentication disabled (both ends must agree). */
  readonly runKey: Buffer | null;
  readonly maxFrameSize?: number;
}

/**
 * One control-plane connection: length-prefixed msgpack messages over a TCP socket, both ways.
 * It opens with a mutual challenge–response over the run key (rpc-authentication.ts); until the
 * peer passed it, frames are limited to 4 KiB, nothing else the peer sends is read, and what this
 * side sends waits. A peer that fails closes the connection with an RpcAuthenticationError, a
 * malformed or truncated frame with an RpcProtocolError, both naming the peer.
 */
export class RpcConnection {
  private readonly decoder: RpcFrameDecoder;
  private handlers: RpcHandlers | null;
  private authentication: RpcAuthentication | null;
  private readonly maxFrameSize: number;
  private readonly outbox: RpcMessage[] = [];
  private done = false;
  private failure: Error | null = null;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    handlers: RpcHandlers,
    options: RpcConnectionOptions,
  ) {
    this.handlers = handlers;
    this.maxFrameSize = options.maxFrameSize ?? DEFAULT_MAX_RPC_FRAME;
    this.authentication = options.runKey === null ? null : new RpcAuthentication(options.side, options.runKey, peer);
    this.decoder = new RpcFrameDecoder(peer, this.authentication === null ? this.maxFrameSize : MAX_UNAUTHENTICATED_RPC_FRAME);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.done || this.failure !== null) return;
      try {
        this.decoder.push(chunk, this.receive);
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
      this.finish(this.failure ?? (this.done ? null : new Error(`RPC connection to ${peer} closed${this.authentication === null ? '' : ' before authenticating'}`)));
    });
    const first = this.authentication?.start() ?? null;
    if (first !== null) this.write(first);
    if (this.authentication === null) queueMicrotask(() => this.handlers?.authenticated?.());
  }

  /** Whether the peer proved it holds the run key (always, with authentication disabled). */
  get authenticated(): boolean {
    return this.authentication === null;
  }

  /** Sends `message`, or keeps it until the peer authenticated. */
  send(message: RpcMessage): void {
    if (this.done || this.socket.destroyed) return;
    if (this.authentication !== null) this.outbox.push(message);
    else this.write(message);
  }

  /** Closes deliberately; pending writes are flushed first. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  private readonly receive = (value: unknown): void => {
    // A failed frame throws out of the decoder: nothing after it in the chunk is read.
    if (this.failure !== null) throw this.failure;
    const authentication = this.authentication;
    if (authentication === null) {
      const message = readRpcMessage(this.peer, value);
      if (!this.done) this.handlers?.message(message);
      return;
    }
    const { reply, authenticated } = authentication.receive(value);
    if (reply !== null) this.write(reply);
    if (!authenticated) return;
    this.authentication = null;
    this.decoder.maxFrameSize = this.maxFrameSize;
    for (const message of this.outbox.splice(0)) this.write(message);
    this.handlers?.authenticated?.();
  };

  private write(message: RpcMessage | RpcAuthMessage): void {
    const payload = pack(message);
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(payload.length, 0);
    this.socket.cork();
    this.socket.write(header);
    this.socket.write(payload);
    this.socket.uncork();
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
