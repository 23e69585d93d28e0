import { describe, expect, it } from '@jest/globals';
import { FrameType, HEADER_BYTES, writeFrameHeader } from '../../../../runtime/network/frame.ts';
import { encodeClose, encodeCredit, encodeEvent } from '../../../../runtime/network/frame-codec.ts';
import { FrameDecoder } from '../../../../runtime/network/frame-decoder.ts';

interface Seen {
  type: number;
  channelId: number;
  payload: string;
}

function decoderInto(seen: Seen[], maxFrameLength = 1 << 20): FrameDecoder {
  return new FrameDecoder(maxFrameLength, (type, channelId, payload) => seen.push({ type, channelId, payload: payload.toString('hex') }));
}

function dataFrame(channelId: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, FrameType.DATA, channelId, payload.length);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

const frames = [
  dataFrame(1, Buffer.from('first batch')),
  encodeCredit(2, 5),
  dataFrame(3, Buffer.alloc(5000, 7)),
  encodeEvent(1, { kind: 'watermark', timestamp: 1234 }),
  dataFrame(4, Buffer.alloc(0)),
  encodeClose('bye'),
];
const stream = Buffer.concat(frames);
const expected: Seen[] = [
  { type: FrameType.DATA, channelId: 1, payload: Buffer.from('first batch').toString('hex') },
  { type: FrameType.CREDIT, channelId: 2, payload: '00000005' },
  { type: FrameType.DATA, channelId: 3, payload: Buffer.alloc(5000, 7).toString('hex') },
  { type: FrameType.EVENT, channelId: 1, payload: frames[3]!.subarray(HEADER_BYTES).toString('hex') },
  { type: FrameType.DATA, channelId: 4, payload: '' },
  { type: FrameType.CLOSE, channelId: 0, payload: Buffer.from('bye').toString('hex') },
];

/** Feeds `bytes` cut at the given offsets. */
function feed(decoder: FrameDecoder, bytes: Buffer, cuts: number[]): void {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    decoder.push(bytes.subarray(start, cut));
    start = cut;
  }
}

describe('FrameDecoder', () => {
  it('splits coalesced frames delivered in one chunk', () => {
    const seen: Seen[] = [];
    const decoder = decoderInto(seen);
    decoder.push(stream);
    decoder.end();
    expect(seen).toEqual(expected);
  });

  it('reassembles frames delivered one byte at a time', () => {
    const seen: Seen[] = [];
    const decoder = decoderInto(seen);
    feed(decoder, stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1));
    decoder.end();
    expect(seen).toEqual(expected);
  });

  it('gives the same frames for every cut point of a split read', () => {
    for (let cut = 1; cut < stream.length; cut += 7) {
      for (const second of [cut + 3, cut + 4100]) {
        const seen: Seen[] = [];
        const decoder = decoderInto(seen);
        feed(decoder, stream, second < stream.length ? [cut, second] : [cut]);
        decoder.end();
        expect(seen).toEqual(expected);
      }
    }
  });

  it('rejects a length above the limit, before the frame arrives', () => {
    const decoder = decoderInto([], 1000);
    const header = Buffer.alloc(HEADER_BYTES);
    writeFrameHeader(header, 0, FrameType.DATA, 1, 2000);
    expect(() => decoder.push(header)).toThrow('malformed frame: frame length 2005 exceeds the limit of 1000 bytes');
    const split = decoderInto([], 1000);
    split.push(header.subarray(0, 2));
    expect(() => split.push(header.subarray(2, 4))).toThrow('malformed frame: frame length 2005 exceeds the limit of 1000 bytes');
  });

  it('rejects a length below the header', () => {
    const bytes = Buffer.from([0, 0, 0, 3, 2, 0, 0, 0, 1, 0, 0]);
    expect(() => decoderInto([]).push(bytes)).toThrow('malformed frame: frame length 3 is below the minimum of 5 bytes');
    expect(() => feed(decoderInto([]), bytes, [1, 2, 3])).toThrow('malformed frame: frame length 3 is below the minimum of 5 bytes');
  });

  it('rejects an unknown frame type, whole or split', () => {
    const frame = dataFrame(1, Buffer.from('x'));
    frame[4] = 99;
    expect(() => decoderInto([]).push(frame)).toThrow('malformed frame: unknown frame type 99');
    expect(() => feed(decoderInto([]), frame, [4])).toThrow('malformed frame: unknown frame type 99');
    const seen: Seen[] = [];
    expect(() => decoderInto(seen).push(Buffer.concat([encodeCredit(1, 1), frame]))).toThrow('malformed frame: unknown frame type 99');
    expect(seen).toHaveLength(1);
  });

  it('reports a stream that ends inside a frame', () => {
    const inBody = decoderInto([]);
    inBody.push(stream.subarray(0, frames[0]!.length + frames[1]!.length + 100));
    expect(() => inBody.end()).toThrow('truncated frame: connection closed after 100 of 5009 bytes of a DATA frame');
    const inHeader = decoderInto([]);
    inHeader.push(stream.subarray(0, 6));
    expect(() => inHeader.end()).toThrow('truncated frame: connection closed after 6 of 9 bytes of a frame header');
  });
});
