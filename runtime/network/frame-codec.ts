import { FrameType, HEADER_BYTES, writeFrameHeader } from './frame.ts';
import { ProtocolError } from './protocol-error.ts';
import type { ControlEvent } from './stream-element.ts';

/** Encoders of whole frames and decoders of their payloads, except DATA (see batch-frame.ts). */

export const PROTOCOL_VERSION = 1;
const MAGIC = 'SLCE';

/** What each side of a connection says about itself first. */
export interface Handshake {
  readonly protocolVersion: number;
  readonly jobId: string;
  /** The job's attempt: frames of an older attempt must never reach a newer one. */
  readonly fencingToken: number;
  /** The sending process, for logs and errors (e.g. the TaskManager id). */
  readonly processId: string;
  /** `host:port` where the sending process accepts data connections, or '' if it does not listen. */
  readonly dataAddress: string;
  /** Frames the sending process holds per channel: the initial credit of every channel towards it. */
  readonly creditsPerChannel: number;
}

const HANDSHAKE_FIXED_BYTES = 4 + 2 + 4 + 4;

export function encodeHandshake(handshake: Handshake): Buffer {
  const strings = [handshake.jobId, handshake.processId, handshake.dataAddress].map((s) => Buffer.from(s, 'utf8'));
  const payloadLength = HANDSHAKE_FIXED_BYTES + strings.reduce((sum, s) => sum + 2 + s.length, 0);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  let offset = writeFrameHeader(frame, 0, FrameType.HANDSHAKE, 0, payloadLength);
  offset += frame.write(MAGIC, offset, 'latin1');
  offset = frame.writeUInt16BE(handshake.protocolVersion, offset);
  offset = frame.writeUInt32BE(handshake.fencingToken, offset);
  offset = frame.writeUInt32BE(handshake.creditsPerChannel, offset);
  for (const s of strings) {
    offset = frame.writeUInt16BE(s.length, offset);
    offset += s.copy(frame, offset);
  }
  return frame;
}

export function decodeHandshake(payload: Buffer): Handshake {
  if (payload.length < HANDSHAKE_FIXED_BYTES) {
    throw new ProtocolError('bad handshake', `handshake is ${payload.length} bytes, shorter than its fixed ${HANDSHAKE_FIXED_BYTES}-byte part`);
  }
  if (payload.toString('latin1', 0, 4) !== MAGIC) {
    throw new ProtocolError('bad handshake', `handshake does not start with "${MAGIC}" (not a Sluice data-plane peer?)`);
  }
  const protocolVersion = payload.readUInt16BE(4);
  if (protocolVersion !== PROTOCOL_VERSION) {
    throw new ProtocolError('bad handshake', `protocol version ${protocolVersion} is not supported (this process speaks ${PROTOCOL_VERSION})`);
  }
  const fencingToken = payload.readUInt32BE(6);
  const creditsPerChannel = payload.readUInt32BE(10);
  let offset = HANDSHAKE_FIXED_BYTES;
  const strings: string[] = [];
  for (const field of ['job id', 'process id', 'data address']) {
    if (offset + 2 > payload.length) throw new ProtocolError('bad handshake', `handshake ends before its ${field}`);
    const length = payload.readUInt16BE(offset);
    offset += 2;
    if (offset + length > payload.length) throw new ProtocolError('bad handshake', `handshake ends inside its ${field}`);
    strings.push(payload.toString('utf8', offset, offset + length));
    offset += length;
  }
  if (offset !== payload.length) throw new ProtocolError('bad handshake', `handshake has ${payload.length - offset} unexpected trailing bytes`);
  if (creditsPerChannel === 0) throw new ProtocolError('bad handshake', 'handshake grants 0 credits per channel; at least 1 is needed');
  return { protocolVersion, fencingToken, creditsPerChannel, jobId: strings[0]!, processId: strings[1]!, dataAddress: strings[2]! };
}

const EVENT_WATERMARK = 1;
const EVENT_IDLE = 2;
const EVENT_BARRIER = 3;
const EVENT_END_OF_PARTITION = 4;
const eventPayloadBytes: Record<number, number> = { [EVENT_WATERMARK]: 9, [EVENT_IDLE]: 2, [EVENT_BARRIER]: 18, [EVENT_END_OF_PARTITION]: 1 };
const END_OF_PARTITION: ControlEvent = { kind: 'end-of-partition' };

export function encodeEvent(channelId: number, event: ControlEvent): Buffer {
  const kind = { watermark: EVENT_WATERMARK, idle: EVENT_IDLE, barrier: EVENT_BARRIER, 'end-of-partition': EVENT_END_OF_PARTITION }[event.kind];
  const payloadLength = eventPayloadBytes[kind]!;
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  const offset = writeFrameHeader(frame, 0, FrameType.EVENT, channelId, payloadLength);
  frame[offset] = kind;
  switch (event.kind) {
    case 'watermark':
      frame.writeDoubleBE(event.timestamp, offset + 1);
      break;
    case 'idle':
      frame[offset + 1] = event.idle ? 1 : 0;
      break;
    case 'barrier':
      frame.writeDoubleBE(event.checkpointId, offset + 1);
      frame.writeDoubleBE(event.timestamp, offset + 9);
      frame[offset + 17] = event.savepoint ? 1 : 0;
      break;
    case 'end-of-partition':
      break;
  }
  return frame;
}

export function decodeEvent(payload: Buffer): ControlEvent {
  if (payload.length === 0) throw new ProtocolError('malformed frame', 'EVENT frame has an empty payload');
  const kind = payload[0]!;
  const expected = eventPayloadBytes[kind];
  if (expected === undefined) throw new ProtocolError('malformed frame', `unknown event kind ${kind}`);
  if (payload.length !== expected) {
    throw new ProtocolError('malformed frame', `event kind ${kind} needs a ${expected}-byte payload, got ${payload.length}`);
  }
  switch (kind) {
    case EVENT_WATERMARK:
      return { kind: 'watermark', timestamp: payload.readDoubleBE(1) };
    case EVENT_IDLE:
      return { kind: 'idle', idle: payload[1] === 1 };
    case EVENT_BARRIER:
      return { kind: 'barrier', checkpointId: payload.readDoubleBE(1), timestamp: payload.readDoubleBE(9), savepoint: payload[17] === 1 };
    default:
      return END_OF_PARTITION;
  }
}

/** True if an EVENT payload is end-of-partition, without decoding it. */
export function isEndOfPartition(payload: Buffer): boolean {
  return payload.length === 1 && payload[0] === EVENT_END_OF_PARTITION;
}

export function encodeCredit(channelId: number, credits: number): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + 4);
  writeFrameHeader(frame, 0, FrameType.CREDIT, channelId, 4);
  frame.writeUInt32BE(credits, HEADER_BYTES);
  return frame;
}

export function decodeCredit(payload: Buffer): number {
  if (payload.length !== 4) throw new ProtocolError('malformed frame', `CREDIT frame needs a 4-byte payload, got ${payload.length}`);
  const credits = payload.readUInt32BE(0);
  if (credits === 0) throw new ProtocolError('malformed frame', 'CREDIT frame grants 0 credits');
  return credits;
}

/** A CHALLENGE or PROOF frame: 32 bytes of nonce or HMAC. */
export function encodeAuthFrame(type: typeof FrameType.CHALLENGE | typeof FrameType.PROOF, bytes: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + bytes.length);
  writeFrameHeader(frame, 0, type, 0, bytes.length);
  bytes.copy(frame, HEADER_BYTES);
  return frame;
}

export function decodeAuthFrame(type: typeof FrameType.CHALLENGE | typeof FrameType.PROOF, payload: Buffer): Buffer {
  if (payload.length !== AUTH_FRAME_BYTES) {
    throw new ProtocolError('authentication failed', `${type === FrameType.CHALLENGE ? 'CHALLENGE' : 'PROOF'} frame needs a ${AUTH_FRAME_BYTES}-byte payload, got ${payload.length}`);
  }
  return Buffer.from(payload);
}

const AUTH_FRAME_BYTES = 32;

export function encodeClose(reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const frame = Buffer.allocUnsafe(HEADER_BYTES + text.length);
  writeFrameHeader(frame, 0, FrameType.CLOSE, 0, text.length);
  text.copy(frame, HEADER_BYTES);
  return frame;
}

export function decodeClose(payload: Buffer): string {
  return payload.toString('utf8');
}
