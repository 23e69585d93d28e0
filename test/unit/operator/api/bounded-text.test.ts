import { describe, it, expect } from '@jest/globals';
import { boundedStatusText, boundedText, MAX_MESSAGE_BYTES } from '../../../../operator/api/bounded-text.ts';

describe('bounded text', () => {
  it('leaves text that fits as it is', () => {
    expect(boundedText('a'.repeat(MAX_MESSAGE_BYTES))).toBe('a'.repeat(MAX_MESSAGE_BYTES));
    expect(boundedText('')).toBe('');
  });

  it('cuts longer text to the limit, saying how much was cut', () => {
    const cut = boundedText('x'.repeat(1_000_000), 100);
    // The marker is sized for the longest count it could hold: the whole may end a byte or so short.
    expect(cut).toBe(`${'x'.repeat(66)} …[999934 of 1000000 bytes cut]`);
    expect(Buffer.byteLength(cut)).toBe(99);
    expect(Buffer.byteLength(boundedText('y'.repeat(10_000)))).toBe(MAX_MESSAGE_BYTES - 1);
  });

  it('never splits a character', () => {
    const cut = boundedText('€'.repeat(100), 50);
    const kept = cut.slice(0, cut.indexOf(' …['));
    expect(kept).toBe('€'.repeat(kept.length));
    expect(cut).toBe(`${'€'.repeat(8)} …[276 of 300 bytes cut]`);
    expect(Buffer.byteLength(cut)).toBe(50);
    // 49 bytes: one byte less cuts a whole character more
    expect(boundedText('€'.repeat(100), 49)).toBe(`${'€'.repeat(7)} …[279 of 300 bytes cut]`);
  });

  it('cuts the free text of a status: its message and the last failure\'s', () => {
    const long = 'e'.repeat(100_000);
    const status = boundedStatusText({ phase: 'Failed', message: long, lastFailure: { time: '2026-12-06T22:00:00Z', reason: 'java.lang.Error', message: long } });
    expect(status).toEqual({ phase: 'Failed', message: boundedText(long), lastFailure: { time: '2026-12-06T22:00:00Z', reason: 'java.lang.Error', message: boundedText(long) } });
    expect(boundedStatusText({ phase: 'Running' })).toEqual({ phase: 'Running' });
  });
});
