import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Checks `Authorization: Bearer <token>` headers against one expected token in constant time:
 * both sides are hashed first, so neither the content nor the length of the expected token
 * leaks through timing.
 */
export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  matches(authorization: string | undefined): boolean {
    const presented = authorization === undefined ? null : BEARER.exec(authorization)?.[1];
    // Hashed even when absent, so a missing header costs the same as a wrong one.
    return timingSafeEqual(digest(presented ?? ''), this.expected) && presented !== undefined && presented !== null;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
