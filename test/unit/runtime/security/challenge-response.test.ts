import { describe, expect, it } from '@jest/globals';
import { ChallengeResponse } from '../../../../runtime/security/challenge-response.ts';

const key = Buffer.alloc(32, 1);
const pair = (k1 = key, k2 = key) => [new ChallengeResponse(k1, 'dialler', 'acceptor'), new ChallengeResponse(k2, 'acceptor', 'dialler')] as const;

describe('ChallengeResponse', () => {
  it('lets two holders of the key prove it to each other', () => {
    const [a, b] = pair();
    expect(b.verify(a.nonce, a.proofFor(b.nonce))).toBe(true);
    expect(a.verify(b.nonce, b.proofFor(a.nonce))).toBe(true);
  });

  it('refuses a proof made with another key, for another challenge (a replay), reflected, or of the wrong size', () => {
    const [a, b] = pair(Buffer.alloc(32, 2));
    expect(b.verify(a.nonce, a.proofFor(b.nonce))).toBe(false);
    const [c, d] = pair();
    const recorded = c.proofFor(d.nonce);
    const [, fresh] = pair();
    expect(fresh.verify(c.nonce, recorded)).toBe(false);
    // The acceptor's own answer sent back to it as the dialler's proof, with its own nonce as the peer's.
    expect(d.verify(d.nonce, d.proofFor(d.nonce))).toBe(false);
    const e = new ChallengeResponse(key, 'acceptor', 'dialler');
    expect(d.verify(e.nonce, e.proofFor(d.nonce))).toBe(false);
    expect(d.verify(c.nonce, recorded.subarray(0, 31))).toBe(false);
    expect(d.verify(c.nonce.subarray(0, 16), recorded)).toBe(false);
    expect(d.verify(c.nonce, recorded)).toBe(true);
  });

  it('needs two different roles', () => {
    expect(() => new ChallengeResponse(key, 'x', 'x')).toThrow('the two sides of a challenge-response need different roles, got "x" twice');
  });
});
