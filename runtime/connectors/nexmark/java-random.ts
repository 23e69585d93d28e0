/**
 * java.util.Random (a 48-bit linear congruential generator), bit for bit, with the 48-bit state
 * held as two 24-bit halves so every product stays exact in a double. nexmark-flink draws every
 * field of an event from `new Random(eventId)`; `setSeed` re-seeds this one instance, so a
 * generator allocates nothing per event for its randomness.
 */
const MUL_HI = 0x5de;
const MUL_LO = 0xece66d;
const TWO24 = 0x1000000;
const TWO31 = 0x80000000;
const INV_TWO24 = 1 / TWO24;

export class JavaRandom {
  private hi = 0;
  private lo = 0;

  constructor(seed = 0) {
    this.setSeed(seed);
  }

  /** `setSeed(seed)` of java.util.Random for a non-negative safe integer (bits above 48 ignored). */
  setSeed(seed: number): void {
    const lo = seed % TWO24;
    const hi = Math.floor(seed / TWO24) % TWO24;
    this.lo = lo ^ MUL_LO;
    this.hi = hi ^ MUL_HI;
  }

  /** Seeds with the 48-bit value hi24 · 2^24 + lo24 (each half < 2^24), as `setSeed` would. */
  setSeedParts(hi24: number, lo24: number): void {
    this.lo = lo24 ^ MUL_LO;
    this.hi = hi24 ^ MUL_HI;
  }

  /** Advances the state (seed = seed · 0x5DEECE66D + 0xB mod 2^48). */
  private step(): void {
    const lo = this.lo;
    const hi = this.hi;
    const pLo = lo * MUL_LO + 0xb;
    const carry = Math.floor(pLo * INV_TWO24);
    this.lo = pLo - carry * TWO24;
    // Only the low 24 bits of the high half matter: 32-bit products suffice.
    this.hi = (Math.imul(lo, MUL_HI) + Math.imul(hi, MUL_LO) + carry) & 0xffffff;
  }

  /** Java's `next(bits)` for 1 ≤ bits ≤ 32 (an int: negative when bit 31 is set). */
  next(bits: number): number {
    this.step();
    const v = Math.floor((this.hi * TWO24 + this.lo) / 2 ** (48 - bits));
    return bits === 32 ? v | 0 : v;
  }

  /** Java's `next(31)`. */
  private next31(): number {
    this.step();
    return (this.hi << 7) | (this.lo >>> 17);
  }

  /** Java's `nextInt()`. */
  nextIntFull(): number {
    this.step();
    return (this.hi << 8) | (this.lo >>> 16);
  }

  /** Java's `nextInt(bound)`: uniform in [0, bound), bound a positive int. */
  nextInt(bound: number): number {
    let r = this.next31();
    const m = bound - 1;
    if ((bound & m) === 0) return Math.floor((bound * r) / TWO31);
    for (let u = r; u - (r = u % bound) + m >= TWO31; u = this.next31());
    return r;
  }

  /** Java's `nextLong()`, as a bigint. */
  nextLong(): bigint {
    return BigInt.asIntN(64, (BigInt(this.next(32)) << 32n) + BigInt(this.next(32)));
  }

  /** Java's `nextDouble()`. */
  nextDouble(): number {
    this.step();
    const a = (this.hi << 2) | (this.lo >>> 22);
    this.step();
    const b = (this.hi << 3) | (this.lo >>> 21);
    return (a * 0x8000000 + b) / 0x20000000000000;
  }
}
