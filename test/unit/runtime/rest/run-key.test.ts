import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { RUN_KEY_BYTES, deriveRunKey, encodeRunKey, parseRunKey, restToken } from '../../../../runtime/rest/run-key.ts';

const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

describe('run key', () => {
  it('derives a run key as HMAC-SHA256 of the run uid under the operator key', () => {
    const derived = deriveRunKey(Buffer.from('operator-key'), 'uid-1');
    expect(derived.length).toBe(RUN_KEY_BYTES);
    expect(derived.toString('hex')).toBe(createHmac('sha256', 'operator-key').update('sluice/run-key/uid-1').digest('hex'));
    expect(deriveRunKey(Buffer.from('operator-key'), 'uid-2').equals(derived)).toBe(false);
  });

  it('makes the REST token as base64url of HMAC-SHA256("sluice/rest") under the run key', () => {
    expect(restToken(key)).toBe(createHmac('sha256', key).update('sluice/rest').digest('base64url'));
    expect(restToken(key)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('encodes as 64 lowercase hex characters and parses back, whitespace around allowed', () => {
    const text = encodeRunKey(key);
    expect(text).toBe('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    expect(parseRunKey(`  ${text.toUpperCase()}\n`).equals(key)).toBe(true);
    expect(() => encodeRunKey(Buffer.alloc(16))).toThrow('a run key is 32 bytes, got 16');
  });

  it('refuses a malformed key file, saying what is wrong without echoing it', () => {
    const secretish = 'zz'.repeat(32);
    const attempts: [string, string][] = [
      ['', 'run key is empty'],
      ['\n', 'run key is empty'],
      ['abc', 'run key must be 64 hex characters, got 3 characters'],
      [secretish, 'run key has characters that are not hexadecimal digits'],
    ];
    for (const [text, message] of attempts) {
      let error: unknown;
      try {
        parseRunKey(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(message);
    }
  });
});
