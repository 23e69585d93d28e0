import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { formatPeerAddress } from '../core/peer-address.ts';

export interface UnauthenticatedConnectionsOptions {
  /** What listens, for logs: 'JobManager RPC', 'data plane'. */
  readonly port: string;
  /** A connection not `admitted` within this many milliseconds is destroyed; null: the protocol has its own deadline. */
  readonly deadline: number | null;
  /** Connections that may be waiting at once; one more is destroyed on arrival. */
  readonly limit: number;
  readonly logger: Logger;
}

/**
 * The accepted connections of one listening port that have not yet proved who they are (and, on
 * the RPC port, registered). Bounds what an unauthenticated peer can hold: a connection is destroyed
 * when it is one more than `limit`, or when it is still here after `deadline` (slow-loris, half-open
 * sockets). A peer past its deadline is destroyed with an error that the protocol on the socket
 * reports once, with the peer's address; a flood of refusals is logged once per burst.
 */
export class UnauthenticatedConnections {
  private readonly waiting = new Map<Socket, NodeJS.Timeout | null>();
  private refusedInBurst = 0;

  constructor(private readonly options: UnauthenticatedConnectionsOptions) {}

  /** How many connections are waiting now. */
  get size(): number {
    return this.waiting.size;
  }

  /** Takes a new connection in; false (and the socket destroyed) if `limit` connections already wait. */
  accept(socket: Socket): boolean {
    if (this.waiting.size >= this.options.limit) {
      if (this.refusedInBurst++ === 0) {
        this.options.logger.warn(
          { port: this.options.port, peer: peerOf(socket), limit: this.options.limit },
          `${this.options.port}: ${this.options.limit} connections are already authenticating; closing new ones until some finish`,
        );
      }
      socket.destroy();
      return false;
    }
    const deadline = this.options.deadline;
    // The protocol on the socket reports the error (once, with the peer's address) as it closes.
    const timer = deadline === null ? null : setTimeout(() => {
      this.waiting.delete(socket);
      socket.destroy(new Error(`did not authenticate and register within ${deadline} ms (security.handshakeTimeout)`));
    }, deadline);
    timer?.unref();
    this.waiting.set(socket, timer);
    socket.once('close', () => this.forget(socket));
    return true;
  }

  /** The peer proved itself: it no longer counts against the limit and the deadline. */
  admitted(socket: Socket): void {
    this.forget(socket);
  }

  /** Destroys every waiting connection (the server is closing). */
  closeAll(): void {
    for (const socket of [...this.waiting.keys()]) {
      this.forget(socket);
      socket.destroy();
    }
  }

  private forget(socket: Socket): void {
    if (!this.waiting.has(socket)) return;
    const timer = this.waiting.get(socket);
    if (timer) clearTimeout(timer);
    this.waiting.delete(socket);
    if (this.waiting.size < this.options.limit) this.refusedInBurst = 0;
  }
}

function peerOf(socket: Socket): string {
  return formatPeerAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
}
