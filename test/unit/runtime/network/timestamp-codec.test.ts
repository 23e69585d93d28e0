import { describe, expect, it } from '@jest/globals';
import { NO_TIMESTAMP } from '../../../../runtime/core/timestamps.ts';
import {
  TIMESTAMPS_DELTA,
  TIMESTAMPS_FLOAT64,
  TIMESTAMPS_NONE,
  decodeTimestamps,
  encodeTimestamps,
  maxEncodedTimestampsLength,
  timestampsEnd,
} from '../../../../runtime/network/timestamp-codec.ts';

function roundTrip(timestamps: number[]): { flag: number; bytes: number; decoded: number[] } {
  const target = Buffer.alloc(3 + maxEncodedTimestampsLength(timestamps.length));
  const end = encodeTimestamps(timestamps, timestamps.length, target, 3);
  expect(timestampsEnd(target.subarray(0, end), 3, timestamps.length)).toBe(end);
  return { flag: target[3]!, bytes: end - 3, decoded: decodeTimestamps(target.subarray(0, end), 3, timestamps.length) };
}

describe('timestamp codec', () => {
  it('encodes a batch without timestamps as one flag byte', () => {
    const none = Array.from({ length: 1000 }, () => NO_TIMESTAMP);
    expect(roundTrip(none)).toEqual({ flag: TIMESTAMPS_NONE, bytes: 1, decoded: none });
    expect(roundTrip([])).toEqual({ flag: TIMESTAMPS_NONE, bytes: 1, decoded: [] });
  });

  it('encodes epoch milliseconds as deltas of one or two bytes, including going back in time', () => {
    const base = 1_764_000_000_000;
    const timestamps = Array.from({ length: 1000 }, (_, i) => base + i * 3 - (i % 5 === 0 ? 40 : 0));
    const result = roundTrip(timestamps);
    expect(result.flag).toBe(TIMESTAMPS_DELTA);
    expect(result.decoded).toEqual(timestamps);
    expect(result.bytes).toBeLessThanOrEqual(1 + 8 + 999 * 2);
  });

  it('keeps deltas exact up to 2^52 and falls back to float64 beyond', () => {
    const wide = [2 ** 52, 0, 2 ** 52, 2 ** 51, 2 ** 52 + 2 ** 51, Number.MAX_SAFE_INTEGER];
    expect(roundTrip(wide)).toEqual({ flag: TIMESTAMPS_DELTA, bytes: 1 + 8 + 5 * 8, decoded: wide });
    const extreme = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, -1];
    expect(roundTrip(extreme)).toEqual({ flag: TIMESTAMPS_FLOAT64, bytes: 1 + 32, decoded: extreme });
  });

  it('falls back to float64 for fractions and for batches mixing NO_TIMESTAMP with timestamps', () => {
    const fractions = [0.5, 1.25, -3.75];
    expect(roundTrip(fractions)).toEqual({ flag: TIMESTAMPS_FLOAT64, bytes: 1 + 24, decoded: fractions });
    const mixed = [NO_TIMESTAMP, 5, Number.POSITIVE_INFINITY];
    expect(roundTrip(mixed)).toEqual({ flag: TIMESTAMPS_FLOAT64, bytes: 1 + 24, decoded: mixed });
  });

  it('names where truncated timestamps end', () => {
    expect(() => timestampsEnd(Buffer.alloc(0), 0, 1)).toThrow('batch ends before its timestamp flag');
    expect(() => timestampsEnd(Buffer.from([TIMESTAMPS_FLOAT64, 0, 0]), 0, 1)).toThrow('batch ends inside its 1 float64 timestamps');
    expect(() => timestampsEnd(Buffer.from([TIMESTAMPS_DELTA, 0]), 0, 2)).toThrow('batch ends inside its first timestamp');
    const delta = Buffer.alloc(10);
    delta[0] = TIMESTAMPS_DELTA;
    delta[9] = 0x80;
    expect(() => timestampsEnd(delta, 0, 2)).toThrow('batch ends inside timestamp 1 of 2');
    expect(() => timestampsEnd(Buffer.from([9]), 0, 1)).toThrow('unknown timestamp encoding 9');
  });
});
