import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of a challenge nonce. */
export const NONCE_BYTES = 32;
/** Bytes of a proof (an HMAC-SHA256). */
export const PROOF_BYTES = 32;

/**
 * One side of a mutual challenge–response over the run key: each side sends a fresh nonce, and
 * proves it holds the key with HMAC-SHA256(key, ownRole | peerNonce | ownNonce). The key never
 * crosses the wire; a recorded exchange is worthless against a fresh nonce (no replay); and the
 * two sides prove under different role labels, so a proof cannot be reflected back to its maker.
 *
 * The transports (RPC, data plane) only move nonces and proofs; what they must do is send
 * `nonce`, answer the peer's nonce with `proofFor`, and read nothing else from a peer until
 * `verify` accepted its proof.
 */
export class ChallengeResponse {
  /** This side's challenge for the peer, fresh for every connection. */
  readonly nonce: Buffer = randomBytes(NONCE_BYTES);

  /** `role`/`peerRole`: the labels of this side and the other, e.g. 'sluice/rpc/taskmanager'. */
  constructor(
    private readonly key: Buffer,
    private readonly role: string,
    private readonly peerRole: string,
  ) {
    if (role === peerRole) throw new Error(`the two sides of a challenge-response need different roles, got "${role}" twice`);
  }

  /** This side's answer to the peer's challenge. */
  proofFor(peerNonce: Buffer): Buffer {
    return proof(this.key, this.role, peerNonce, this.nonce);
  }

  /** Whether `peerProof` answers this side's challenge with the key, compared in constant time. */
  verify(peerNonce: Buffer, peerProof: Buffer): boolean {
    if (peerNonce.length !== NONCE_BYTES || peerProof.length !== PROOF_BYTES || peerNonce.equals(this.nonce)) return false;
    return timingSafeEqual(proof(this.key, this.peerRole, this.nonce, peerNonce), peerProof);
  }
}

function proof(key: Buffer, role: string, challenge: Buffer, answererNonce: Buffer): Buffer {
  return createHmac('sha256', key).update(role).update('\0').update(challenge).update(answererNonce).digest();
}
