import { describe, expect, it } from '@jest/globals';
import { BearerToken } from '../../../../runtime/security/bearer-token.ts';

describe('BearerToken', () => {
  it('matches only "Bearer <token>" with the exact token', () => {
    const token = new BearerToken('abc_DEF-123');
    expect(['Bearer abc_DEF-123', 'bearer abc_DEF-123', 'Bearer  abc_DEF-123 '].map((h) => token.matches(h))).toEqual([true, true, true]);
    expect([undefined, '', 'Bearer', 'Bearer ', 'abc_DEF-123', 'Basic abc_DEF-123', 'Bearer abc_DEF-12', 'Bearer abc_DEF-1234', 'Bearer abc_DEF-123 x'].map((h) => token.matches(h))).toEqual(
      [false, false, false, false, false, false, false, false, false],
    );
  });
});
