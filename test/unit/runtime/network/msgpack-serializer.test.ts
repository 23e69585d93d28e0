import { describe, expect, it } from '@jest/globals';
import { BatchFrameEncoder, decodeBatchPayload } from '../../../../runtime/network/batch-frame.ts';
import { HEADER_BYTES } from '../../../../runtime/network/frame.ts';
import { MsgpackSerializer } from '../../../../runtime/network/msgpack-serializer.ts';
import { NO_TIMESTAMP } from '../../../../runtime/core/timestamps.ts';
import type { TypeSerializer } from '../../../../runtime/core/type-serializer.ts';

/** A user serializer for a stream of 32-bit integers: 4 bytes each, no msgpack. */
class Int32Serializer implements TypeSerializer<number> {
  encodeBatch(values: readonly number[]): Uint8Array {
    const bytes = Buffer.allocUnsafe(values.length * 4);
    for (let i = 0; i < values.length; i++) bytes.writeInt32LE(values[i]!, i * 4);
    return bytes;
  }
  decodeBatch(bytes: Uint8Array): number[] {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new Array<number>(bytes.byteLength / 4);
    for (let i = 0; i < values.length; i++) values[i] = view.readInt32LE(i * 4);
    return values;
  }
}

/** The payload a receiver sees: the frame without its 9-byte header. */
function payloadOf(frame: { head: Buffer; body: Uint8Array | null }): Buffer {
  return Buffer.concat([frame.head, frame.body ?? Buffer.alloc(0)]).subarray(HEADER_BYTES);
}

describe('MsgpackSerializer', () => {
  it('round-trips a batch of records of one shape, of mixed shapes and of scalars', () => {
    const serializer = new MsgpackSerializer();
    const sameShape = Array.from({ length: 500 }, (_, i) => ({ word: `w${i % 7}`, count: i, ratio: i / 3 }));
    const mixed = [{ a: 1 }, { b: 'x', c: [1, 2, { d: null }] }, 'text', 42, -1.5, true, null, [3, 4], { a: 2 }];
    for (const batch of [sameShape, mixed, [], ['only']]) {
      expect(serializer.decodeBatch(serializer.encodeBatch(batch))).toEqual(batch);
    }
  });

  it('describes a record shape once per batch, so a record costs little more than its values', () => {
    const serializer = new MsgpackSerializer();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ word: `w${i % 100}`, count: i }));
    expect(serializer.encodeBatch(batch).length).toBeLessThan(1000 * 10);
  });

  it('keeps earlier encoded batches intact while later ones are encoded', () => {
    const serializer = new MsgpackSerializer();
    const first = serializer.encodeBatch([{ k: 'first' }]);
    const copy = Buffer.from(first);
    for (let i = 0; i < 2000; i++) serializer.encodeBatch([{ k: `later-${i}`, filler: 'x'.repeat(100) }]);
    expect(Buffer.from(first)).toEqual(copy);
  });

  it('rejects bytes that do not decode to an array', () => {
    const serializer = new MsgpackSerializer();
    expect(() => serializer.decodeBatch(new MsgpackSerializer().encodeBatch(7 as unknown as unknown[]))).toThrow(
      'msgpack batch decodes to number, expected an array of records',
    );
  });
});

describe('DATA frame payload', () => {
  it('round-trips values and timestamps with the default serializer', () => {
    const serializer = new MsgpackSerializer();
    const values = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const timestamps = [1_700_000_000_000, 1_700_000_000_005, 1_699_999_999_990];
    const frame = new BatchFrameEncoder(9, serializer).encode(values, timestamps);
    expect(frame.head.readUInt32BE(5)).toBe(9);
    expect(decodeBatchPayload(payloadOf(frame), serializer)).toEqual({ values, timestamps });
  });

  it('round-trips with a stream-supplied serializer', () => {
    const serializer = new Int32Serializer();
    const values = [0, -1, 2147483647, -2147483648, 12345];
    const frame = new BatchFrameEncoder(1, serializer).encode(values, values.map(() => NO_TIMESTAMP));
    expect(frame.body!.length).toBe(20);
    expect(decodeBatchPayload(payloadOf(frame), serializer)).toEqual({ values, timestamps: values.map(() => NO_TIMESTAMP) });
  });

  it('reuses its scratch buffer across batches of growing size', () => {
    const serializer = new MsgpackSerializer();
    const encoder = new BatchFrameEncoder(1, serializer);
    for (const size of [1, 3000, 10]) {
      const values = Array.from({ length: size }, (_, i) => i);
      const timestamps = values.map((i) => i * 0.5);
      expect(decodeBatchPayload(payloadOf(encoder.encode(values, timestamps)), serializer)).toEqual({ values, timestamps });
    }
  });

  it('names what is wrong with a broken payload', () => {
    const serializer = new MsgpackSerializer();
    const payload = payloadOf(new BatchFrameEncoder(1, serializer).encode([1, 2], [NO_TIMESTAMP, NO_TIMESTAMP]));
    payload.writeUInt32BE(3, 0);
    expect(() => decodeBatchPayload(payload, serializer)).toThrow('malformed frame: DATA payload declares 3 records but its values decode to 2');
    expect(() => decodeBatchPayload(Buffer.from([0, 0]), serializer)).toThrow('malformed frame: DATA payload is 2 bytes, shorter than its 5-byte minimum');
    expect(() => decodeBatchPayload(Buffer.from([0, 0, 0, 1, 7]), serializer)).toThrow(
      'malformed frame: DATA payload of 1 records: unknown timestamp encoding 7',
    );
  });
});
