import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ChallengeResponse } from '../security/challenge-response.ts';

/**
 * The first messages on a control-plane connection, before any RpcMessage: a mutual
 * challenge–response over the run key (security/challenge-response.ts).
 *
 *   JobManager  -> TaskManager   challenge      { nonce: Nj }
 *   TaskManager -> JobManager    authenticate   { nonce: Nt, proof: HMAC(key, taskmanager | Nj | Nt) }
 *   JobManager  -> TaskManager   authenticated  { proof: HMAC(key, jobmanager | Nt | Nj) }
 *
 * Each side reads nothing else from its peer until it accepted the peer's proof.
 */
const Bytes = Type.Uint8Array({ minByteLength: 32, maxByteLength: 32 });
const Challenge = Type.Object({ type: Type.Literal('challenge'), nonce: Bytes }, { additionalProperties: false });
const Authenticate = Type.Object({ type: Type.Literal('authenticate'), nonce: Bytes, proof: Bytes }, { additionalProperties: false });
const Authenticated = Type.Object({ type: Type.Literal('authenticated'), proof: Bytes }, { additionalProperties: false });

export type RpcAuthMessage = Static<typeof Challenge> | Static<typeof Authenticate> | Static<typeof Authenticated>;

const checkers = { challenge: TypeCompiler.Compile(Challenge), authenticate: TypeCompiler.Compile(Authenticate), authenticated: TypeCompiler.Compile(Authenticated) };

/** Which end of a control-plane connection this process is. */
export type RpcSide = 'jobmanager' | 'taskmanager';

/** The peer did not prove it holds the run key: its connection is dropped. */
export class RpcAuthenticationError extends Error {
  constructor(peer: string, reason: string) {
    super(`RPC peer ${peer} failed authentication: ${reason}; connection dropped`);
    this.name = 'RpcAuthenticationError';
  }
}

/**
 * One side's part of the exchange above. `start()` is what to send first (the JobManager's
 * challenge, nothing for a TaskManager); `receive()` takes each decoded value, returns what to
 * send back (if anything) and whether the peer is now authenticated, or throws an
 * RpcAuthenticationError.
 */
export class RpcAuthentication {
  private readonly exchange: ChallengeResponse;
  private peerNonce: Buffer | null = null;

  constructor(
    private readonly side: RpcSide,
    key: Buffer,
    private readonly peer: string,
  ) {
    this.exchange = side === 'jobmanager' ? new ChallengeResponse(key, 'sluice/rpc/jobmanager', 'sluice/rpc/taskmanager') : new ChallengeResponse(key, 'sluice/rpc/taskmanager', 'sluice/rpc/jobmanager');
  }

  start(): RpcAuthMessage | null {
    return this.side === 'jobmanager' ? { type: 'challenge', nonce: this.exchange.nonce } : null;
  }

  receive(value: unknown): { reply: RpcAuthMessage | null; authenticated: boolean } {
    if (this.side === 'jobmanager') {
      const m = this.expect(value, 'authenticate');
      if (!this.exchange.verify(Buffer.from(m.nonce), Buffer.from(m.proof))) throw new RpcAuthenticationError(this.peer, 'wrong proof (not holding this run\'s key, or a replayed exchange)');
      return { reply: { type: 'authenticated', proof: this.exchange.proofFor(Buffer.from(m.nonce)) }, authenticated: true };
    }
    if (this.peerNonce === null) {
      const m = this.expect(value, 'challenge');
      this.peerNonce = Buffer.from(m.nonce);
      return { reply: { type: 'authenticate', nonce: this.exchange.nonce, proof: this.exchange.proofFor(this.peerNonce) }, authenticated: false };
    }
    const m = this.expect(value, 'authenticated');
    if (!this.exchange.verify(this.peerNonce, Buffer.from(m.proof))) throw new RpcAuthenticationError(this.peer, 'the JobManager\'s proof is wrong (not holding this run\'s key)');
    return { reply: null, authenticated: true };
  }

  private expect<K extends RpcAuthMessage['type']>(value: unknown, type: K): Extract<RpcAuthMessage, { type: K }> {
    if (!checkers[type].Check(value)) {
      const got = (value as { type?: unknown } | null)?.type;
      throw new RpcAuthenticationError(this.peer, `expected an "${type}" message, got ${typeof got === 'string' ? `"${got.slice(0, 40)}"` : 'something else'}`);
    }
    return value as Extract<RpcAuthMessage, { type: K }>;
  }
}
