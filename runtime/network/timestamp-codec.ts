import { NO_TIMESTAMP } from '../core/timestamps.ts';

/**
 * Encodes the timestamps of one batch. Three layouts, chosen per batch by a leading flag byte:
 * none (every record has NO_TIMESTAMP, so nothing follows), deltas (all are safe integers, e.g.
 * epoch milliseconds, with deltas below 2^52: the first as a float64, then zig-zag varint deltas,
 * usually 1–2 bytes each),
 * and raw float64 for anything else. Pure functions over caller-owned buffers.
 */
export const TIMESTAMPS_NONE = 0;
export const TIMESTAMPS_DELTA = 1;
export const TIMESTAMPS_FLOAT64 = 2;

const MAX_DELTA = 2 ** 52;

/** Upper bound of the encoded size, so a caller can size its scratch buffer once. */
export function maxEncodedTimestampsLength(count: number): number {
  // A zig-zag delta below 2^53 fits in 8 varint bytes.
  return 1 + 8 * count;
}

/**
 * Writes `timestamps[0..count)` into `target` at `offset`; returns the offset after the last byte.
 * `target` must hold `maxEncodedTimestampsLength(count)` bytes from `offset`.
 */
export function encodeTimestamps(timestamps: readonly number[], count: number, target: Buffer, offset: number): number {
  let allNone = true;
  let allSafe = true;
  for (let i = 0; i < count; i++) {
    const t = timestamps[i]!;
    if (t !== NO_TIMESTAMP) allNone = false;
    // A delta's zig-zag (twice its size) must stay a safe integer to survive the round trip.
    if (!Number.isSafeInteger(t) || (i > 0 && Math.abs(t - timestamps[i - 1]!) > MAX_DELTA)) allSafe = false;
  }
  if (allNone) {
    target[offset] = TIMESTAMPS_NONE;
    return offset + 1;
  }
  if (!allSafe) {
    target[offset++] = TIMESTAMPS_FLOAT64;
    for (let i = 0; i < count; i++) offset = target.writeDoubleLE(timestamps[i]!, offset);
    return offset;
  }
  target[offset++] = TIMESTAMPS_DELTA;
  let previous = timestamps[0]!;
  offset = target.writeDoubleLE(previous, offset);
  for (let i = 1; i < count; i++) {
    const t = timestamps[i]!;
    const delta = t - previous;
    previous = t;
    // Zig-zag in arithmetic, not bit operations: deltas of epoch values can exceed 32 bits.
    let zigzag = delta >= 0 ? delta * 2 : -delta * 2 - 1;
    while (zigzag >= 0x80) {
      target[offset++] = (zigzag % 0x80) | 0x80;
      zigzag = Math.floor(zigzag / 0x80);
    }
    target[offset++] = zigzag;
  }
  return offset;
}

/**
 * The offset just past the `count` timestamps at `offset`, checking that they are all there,
 * without materializing them: so that a frame can be validated before anything is allocated for
 * the record count it claims.
 */
export function timestampsEnd(source: Buffer, offset: number, count: number): number {
  if (offset >= source.length) throw new Error('batch ends before its timestamp flag');
  const flag = source[offset++]!;
  if (flag === TIMESTAMPS_NONE) return offset;
  if (flag === TIMESTAMPS_FLOAT64) {
    if (offset + 8 * count > source.length) throw new Error(`batch ends inside its ${count} float64 timestamps`);
    return offset + 8 * count;
  }
  if (flag !== TIMESTAMPS_DELTA) throw new Error(`unknown timestamp encoding ${flag}`);
  if (offset + 8 > source.length) throw new Error('batch ends inside its first timestamp');
  offset += 8;
  for (let i = 1; i < count; i++) {
    while (offset < source.length && source[offset]! & 0x80) offset++;
    if (offset >= source.length) throw new Error(`batch ends inside timestamp ${i} of ${count}`);
    offset++;
  }
  return offset;
}

/** Reads `count` timestamps written by `encodeTimestamps`, already checked by `timestampsEnd`. */
export function decodeTimestamps(source: Buffer, offset: number, count: number): number[] {
  const flag = source[offset++]!;
  const timestamps = new Array<number>(count);
  if (flag === TIMESTAMPS_NONE || count === 0) return timestamps.fill(NO_TIMESTAMP);
  if (flag === TIMESTAMPS_FLOAT64) {
    for (let i = 0; i < count; i++, offset += 8) timestamps[i] = source.readDoubleLE(offset);
    return timestamps;
  }
  let previous = source.readDoubleLE(offset);
  offset += 8;
  timestamps[0] = previous;
  for (let i = 1; i < count; i++) {
    let zigzag = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = source[offset++]!;
      zigzag += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte & 0x80);
    previous += zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
    timestamps[i] = previous;
  }
  return timestamps;
}
