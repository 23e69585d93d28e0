import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from '../../../../runtime/config/duration.ts';
import { formatSize, parseSize } from '../../../../runtime/config/size.ts';

describe('parseDuration', () => {
  it('reads every unit into milliseconds', () => {
    expect(['0ms', '500ms', '10s', '1.5s', '1m', '2h', '1d', ' 3s '].map(parseDuration)).toEqual([0, 500, 10_000, 1500, 60_000, 7_200_000, 86_400_000, 3000]);
  });

  it('rejects a missing or unknown unit and fractions of a millisecond', () => {
    const message = (text: string) =>
      `invalid duration ${JSON.stringify(text)}: expected a number and a unit (ms, s, m, h, d) giving whole milliseconds, e.g. "500ms" or "10s"`;
    for (const text of ['10', '10x', 's', '-1s', '0.5ms', '1e3ms', '']) expect(() => parseDuration(text)).toThrow(message(text));
  });

  it('formats milliseconds back with the largest exact unit', () => {
    expect([0, 5, 1500, 90_000, 3_600_000, 172_800_000].map(formatDuration)).toEqual(['0ms', '5ms', '1500ms', '90s', '1h', '2d']);
  });
});

describe('parseSize', () => {
  it('reads every unit into bytes, in powers of 1024, ignoring case', () => {
    expect(['0b', '512b', '32kb', '32KB', '1.5kb', '64mb', '1gb'].map(parseSize)).toEqual([0, 512, 32_768, 32_768, 1536, 67_108_864, 1_073_741_824]);
  });

  it('rejects a missing or unknown unit and fractions of a byte', () => {
    const message = (text: string) => `invalid size ${JSON.stringify(text)}: expected a number and a unit (b, kb, mb, gb) giving whole bytes, e.g. "32kb"`;
    for (const text of ['32', '32k', '1tb', '0.5b', 'kb']) expect(() => parseSize(text)).toThrow(message(text));
  });

  it('formats bytes back with the largest exact unit', () => {
    expect([0, 100, 1536, 32_768, 67_108_864, 2_147_483_648].map(formatSize)).toEqual(['0b', '100b', '1536b', '32kb', '64mb', '2gb']);
  });
});
