import { FrameType, HEADER_BYTES, writeFrameHeader } from './frame.ts';
import { ProtocolError } from './protocol-error.ts';
import type { RecordBatch } from './stream-element.ts';
import { decodeTimestamps, encodeTimestamps, maxEncodedTimestampsLength, timestampsEnd } from './timestamp-codec.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';

/**
 * A frame ready for the socket: `head` (frame header, and for DATA the record count and the
 * timestamps) followed by `body` (the serializer's bytes), written together with one cork.
 */
export interface OutgoingFrame {
  readonly head: Buffer;
  readonly body: Uint8Array | null;
  readonly bytes: number;
}

/** DATA payload: u32 record count | timestamps (timestamp-codec.ts) | values (the stream's serializer). */
const COUNT_BYTES = 4;

/** Encodes the batches of one channel; owns a scratch buffer for timestamps, reused across batches. */
export class BatchFrameEncoder {
  private scratch = Buffer.allocUnsafe(maxEncodedTimestampsLength(1024));

  constructor(
    private readonly channelId: number,
    private readonly serializer: TypeSerializer,
  ) {}

  encode(values: unknown[], timestamps: readonly number[]): OutgoingFrame {
    const count = values.length;
    const needed = maxEncodedTimestampsLength(count);
    if (this.scratch.length < needed) this.scratch = Buffer.allocUnsafe(needed * 2);
    const timestampBytes = encodeTimestamps(timestamps, count, this.scratch, 0);
    const body = this.serializer.encodeBatch(values);
    const head = Buffer.allocUnsafe(HEADER_BYTES + COUNT_BYTES + timestampBytes);
    writeFrameHeader(head, 0, FrameType.DATA, this.channelId, COUNT_BYTES + timestampBytes + body.length);
    head.writeUInt32BE(count, HEADER_BYTES);
    this.scratch.copy(head, HEADER_BYTES + COUNT_BYTES, 0, timestampBytes);
    return { head, body, bytes: head.length + body.length };
  }
}

/**
 * Decodes a DATA payload; a broken payload is a ProtocolError saying what is wrong. The claimed
 * record count is trusted only once the values decoded to that many records.
 */
export function decodeBatchPayload(payload: Buffer, serializer: TypeSerializer): RecordBatch {
  if (payload.length < COUNT_BYTES + 1) {
    throw new ProtocolError('malformed frame', `DATA payload is ${payload.length} bytes, shorter than its ${COUNT_BYTES + 1}-byte minimum`);
  }
  const count = payload.readUInt32BE(0);
  let valuesStart: number;
  try {
    valuesStart = timestampsEnd(payload, COUNT_BYTES, count);
  } catch (error) {
    throw new ProtocolError('malformed frame', `DATA payload of ${count} records: ${(error as Error).message}`);
  }
  let values: unknown[];
  try {
    values = serializer.decodeBatch(payload.subarray(valuesStart));
  } catch (error) {
    throw new ProtocolError('malformed frame', `DATA payload of ${count} records does not decode: ${(error as Error).message}`);
  }
  if (values.length !== count) {
    throw new ProtocolError('malformed frame', `DATA payload declares ${count} records but its values decode to ${values.length}`);
  }
  return { values, timestamps: decodeTimestamps(payload, COUNT_BYTES, count) };
}
