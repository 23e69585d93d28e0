import { describe, expect, it } from '@jest/globals';
import { FrameType, HEADER_BYTES } from '../../../../runtime/network/frame.ts';
import {
  PROTOCOL_VERSION,
  decodeClose,
  decodeCredit,
  decodeEvent,
  decodeHandshake,
  encodeClose,
  encodeCredit,
  encodeEvent,
  encodeHandshake,
  isEndOfPartition,
} from '../../../../runtime/network/frame-codec.ts';
import type { Handshake } from '../../../../runtime/network/frame-codec.ts';
import type { ControlEvent } from '../../../../runtime/network/stream-element.ts';

const hello: Handshake = {
  protocolVersion: PROTOCOL_VERSION,
  jobId: 'wordcount-7f3a',
  fencingToken: 3,
  processId: 'taskmanager-ü-1',
  dataAddress: '127.0.0.1:6121',
  creditsPerChannel: 8,
};

function payload(frame: Buffer): Buffer {
  expect(frame.readUInt32BE(0)).toBe(frame.length - 4);
  return frame.subarray(HEADER_BYTES);
}

describe('frame codec', () => {
  it('round-trips a handshake', () => {
    const frame = encodeHandshake(hello);
    expect(frame[4]).toBe(FrameType.HANDSHAKE);
    expect(decodeHandshake(payload(frame))).toEqual(hello);
  });

  it('names what is wrong with a bad handshake', () => {
    const good = payload(encodeHandshake(hello));
    expect(() => decodeHandshake(good.subarray(0, 10))).toThrow('bad handshake: handshake is 10 bytes, shorter than its fixed 14-byte part');
    const http = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(() => decodeHandshake(http)).toThrow('bad handshake: handshake does not start with "SLCE" (not a Sluice data-plane peer?)');
    const future = Buffer.from(good);
    future.writeUInt16BE(PROTOCOL_VERSION + 1, 4);
    expect(() => decodeHandshake(future)).toThrow(`bad handshake: protocol version ${PROTOCOL_VERSION + 1} is not supported (this process speaks ${PROTOCOL_VERSION})`);
    expect(() => decodeHandshake(good.subarray(0, 20))).toThrow('bad handshake: handshake ends inside its job id');
    expect(() => decodeHandshake(good.subarray(0, 14))).toThrow('bad handshake: handshake ends before its job id');
    expect(() => decodeHandshake(Buffer.concat([good, Buffer.from([1, 2])]))).toThrow('bad handshake: handshake has 2 unexpected trailing bytes');
    expect(() => decodeHandshake(payload(encodeHandshake({ ...hello, creditsPerChannel: 0 })))).toThrow(
      'bad handshake: handshake grants 0 credits per channel; at least 1 is needed',
    );
  });

  it('round-trips every control event', () => {
    const events: ControlEvent[] = [
      { kind: 'watermark', timestamp: 1_764_000_000_123 },
      { kind: 'watermark', timestamp: Number.POSITIVE_INFINITY },
      { kind: 'idle', idle: true },
      { kind: 'idle', idle: false },
      { kind: 'barrier', checkpointId: 42, timestamp: 1_764_000_000_000, savepoint: true },
      { kind: 'barrier', checkpointId: 43, timestamp: 5, savepoint: false },
      { kind: 'end-of-partition' },
    ];
    for (const event of events) {
      const frame = encodeEvent(17, event);
      expect(frame.readUInt32BE(5)).toBe(17);
      expect(decodeEvent(payload(frame))).toEqual(event);
      expect(isEndOfPartition(payload(frame))).toBe(event.kind === 'end-of-partition');
    }
  });

  it('names what is wrong with a bad event', () => {
    expect(() => decodeEvent(Buffer.alloc(0))).toThrow('malformed frame: EVENT frame has an empty payload');
    expect(() => decodeEvent(Buffer.from([9]))).toThrow('malformed frame: unknown event kind 9');
    expect(() => decodeEvent(Buffer.from([1, 0, 0]))).toThrow('malformed frame: event kind 1 needs a 9-byte payload, got 3');
  });

  it('round-trips credit and close, and rejects empty or misshaped credit', () => {
    expect(decodeCredit(payload(encodeCredit(5, 12)))).toBe(12);
    expect(decodeClose(payload(encodeClose('job cancelled — bye')))).toBe('job cancelled — bye');
    expect(() => decodeCredit(Buffer.alloc(4))).toThrow('malformed frame: CREDIT frame grants 0 credits');
    expect(() => decodeCredit(Buffer.alloc(3))).toThrow('malformed frame: CREDIT frame needs a 4-byte payload, got 3');
  });
});
