/**
 * A peer broke the data-plane protocol. `kind` says how; the connection that saw it names the
 * peer in the final message and closes, and the process carries on.
 */
export type ProtocolErrorKind = 'malformed frame' | 'truncated frame' | 'bad handshake' | 'authentication failed' | 'protocol violation';

export class ProtocolError extends Error {
  constructor(
    readonly kind: ProtocolErrorKind,
    readonly detail: string,
  ) {
    super(`${kind}: ${detail}`);
    this.name = 'ProtocolError';
  }

  /** The same error as seen from a connection: `<kind> from peer <peer>: <detail>`. */
  fromPeer(peer: string): ProtocolError {
    const named = new ProtocolError(this.kind, this.detail);
    named.message = `${this.kind} from peer ${peer}: ${this.detail}`;
    return named;
  }
}
