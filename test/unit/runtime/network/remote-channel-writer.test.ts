import { describe, expect, it } from '@jest/globals';
import { HEADER_BYTES } from '../../../../runtime/network/frame.ts';
import { decodeBatchPayload } from '../../../../runtime/network/batch-frame.ts';
import { MsgpackSerializer } from '../../../../runtime/network/msgpack-serializer.ts';
import type { NetworkOptions } from '../../../../runtime/network/network-options.ts';
import { RemoteChannelWriter, type SendLink } from '../../../../runtime/network/remote-channel-writer.ts';

const options: NetworkOptions = {
  bufferSize: 1024,
  bufferRecords: 1024,
  bufferTimeout: 60_000,
  creditsPerChannel: 1000,
  maxQueuedBuffers: 1000,
  maxFrameSize: 4096,
  connectTimeout: 1000,
  maxUnregisteredChannels: 1,
};

const link: SendLink = { peer: '127.0.0.1:6121', send: () => {}, release: () => {} };

/** Every frame the writer has queued, decoded, with its size on the wire. */
function drain(writer: RemoteChannelWriter): { bytes: number; values: unknown[] }[] {
  const serializer = new MsgpackSerializer();
  writer.gate.grant(1000);
  const frames: { bytes: number; values: unknown[] }[] = [];
  for (let frame = writer.nextFrame(); frame !== null; frame = writer.nextFrame()) {
    const payload = Buffer.concat([frame.head.subarray(HEADER_BYTES), frame.body ?? Buffer.alloc(0)]);
    frames.push({ bytes: frame.bytes, values: decodeBatchPayload(payload, serializer).values });
  }
  return frames;
}

describe('RemoteChannelWriter', () => {
  it('sends a batch that outgrew the frame limit (small records, then large ones) in frames within it, records in order', () => {
    const writer = new RemoteChannelWriter(0, link, new MsgpackSerializer(), options);
    for (let i = 0; i < 10; i++) writer.emit(i, i);
    writer.flush(); // 10 tiny records: the writer now expects ~100 records per 1 KiB batch
    const large = Array.from({ length: 40 }, (_, i) => `${i}:`.padEnd(300, 'x'));
    for (const value of large) writer.emit(value, 0);
    writer.flush();

    const frames = drain(writer);
    writer.close();
    expect(frames.every((f) => f.bytes <= options.maxFrameSize)).toBe(true);
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.flatMap((f) => f.values)).toEqual([...Array.from({ length: 10 }, (_, i) => i), ...large]);
  });

  it('refuses one record above the frame limit, naming the settings to raise', () => {
    const writer = new RemoteChannelWriter(3, link, new MsgpackSerializer(), options);
    writer.emit('x'.repeat(5000), 0);
    expect(() => writer.flush()).toThrow(
      /^channel 3 to 127\.0\.0\.1:6121: a record encodes to \d+ bytes, above network\.maxFrameSize \(4096 bytes\); raise network\.bufferSize or network\.maxFrameSize$/,
    );
    writer.close();
  });
});
