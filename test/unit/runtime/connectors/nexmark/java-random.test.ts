import { describe, expect, it } from '@jest/globals';
import { JavaRandom } from '../../../../../runtime/connectors/nexmark/java-random.ts';

// What OpenJDK 17's java.util.Random printed for `new Random(seed)` followed by nextInt(),
// nextInt(13), nextInt(10000), nextInt(64), nextDouble(), nextInt(1010), nextLong(), nextInt(1 << 30).
const JAVA: [number, string][] = [
  [0, '-1155484576 5 8029 38 0.6374174253501083 991 2158390814503909950 839166427'],
  [1, '-1155869325 0 1847 26 0.20771484130971707 134 -6292788870224356907 763150874'],
  [12345, '1553932502 7 8241 58 0.8330913489710237 785 2299721358978533787 37941694'],
  [1099511627776 * 7 + 99, '-1275921802 4 525 11 0.4836412251025698 376 9151620163412325248 861251863'],
  [281474976710655, '1155099827 8 9579 35 0.6620844841121951 77 7365572370171403210 60706365'],
];

describe('JavaRandom', () => {
  it.each(JAVA)('draws what java.util.Random draws for seed %d', (seed, expected) => {
    const r = new JavaRandom(seed);
    const got = [r.nextIntFull(), r.nextInt(13), r.nextInt(10000), r.nextInt(64), r.nextDouble(), r.nextInt(1010), r.nextLong(), r.nextInt(1 << 30)];
    expect(got.join(' ')).toBe(expected);
  });

  it('re-seeding restarts the sequence, and setSeedParts is setSeed split into 24-bit halves', () => {
    const r = new JavaRandom(42);
    const first = [r.nextIntFull(), r.nextInt(7), r.nextDouble()];
    r.setSeed(42);
    expect([r.nextIntFull(), r.nextInt(7), r.nextDouble()]).toEqual(first);
    const seed = 1099511627776 * 7 + 99;
    r.setSeedParts(Math.floor(seed / 2 ** 24), seed % 2 ** 24);
    expect(r.nextIntFull()).toBe(-1275921802);
  });
});
