import { describe, expect, it } from '@jest/globals';
import { decodeBatchPayload } from '../../../../runtime/network/batch-frame.ts';
import { decodeCredit, decodeEvent, decodeHandshake } from '../../../../runtime/network/frame-codec.ts';
import { FrameDecoder } from '../../../../runtime/network/frame-decoder.ts';
import { MsgpackSerializer } from '../../../../runtime/network/msgpack-serializer.ts';
import { ProtocolError } from '../../../../runtime/network/protocol-error.ts';

/** A small deterministic PRNG (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(next: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
}

/** Runs `decode` and says how it ended: returned, a ProtocolError, or anything else (a bug). */
function outcome(decode: () => unknown): string {
  try {
    decode();
    return 'ok';
  } catch (error) {
    return error instanceof ProtocolError ? 'protocol error' : `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('decoding garbage', () => {
  it('never fails with anything but a ProtocolError', () => {
    const next = random(42);
    const serializer = new MsgpackSerializer();
    const unexpected = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const payload = bytes(next, Math.floor(next() * 40));
      // Sometimes a plausible prefix, so that decoding gets past the first checks.
      if (i % 3 === 0 && payload.length >= 4) payload.write('SLCE', 0, 'latin1');
      if (i % 3 === 1 && payload.length >= 5) payload.writeUInt32BE(Math.floor(next() * 4), 0);
      for (const decode of [decodeHandshake, decodeEvent, decodeCredit, (p: Buffer) => decodeBatchPayload(p, serializer)]) {
        const result = outcome(() => decode(payload));
        if (result !== 'ok' && result !== 'protocol error') unexpected.add(result);
      }
      const decoder = new FrameDecoder(1 << 16, () => undefined);
      const result = outcome(() => {
        decoder.push(payload);
        decoder.end();
      });
      if (result !== 'ok' && result !== 'protocol error') unexpected.add(result);
    }
    expect([...unexpected]).toEqual([]);
  });
});
