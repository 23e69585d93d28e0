/**
 * The wire format of the data plane. Every frame is
 *
 *   u32 length (big endian, bytes after this field) | u8 type | u32 channel id | payload
 *
 * One TCP connection per pair of processes carries the frames of all channels between them;
 * the channel id says which channel a frame belongs to (0 for connection-level frames).
 *
 * A connection opens with CHALLENGE, PROOF (when authentication is on: security/challenge-response.ts)
 * and HANDSHAKE in each direction, in this order; each side reads nothing else before the peer's
 * PROOF verified, and frames are limited to MAX_UNAUTHENTICATED_FRAME bytes until the handshake.
 */
export const FrameType = {
  /** First frame in each direction: magic, protocol version, job id, fencing token, peer identity. */
  HANDSHAKE: 1,
  /** One encoded record batch of a channel; costs the sender one credit. */
  DATA: 2,
  /** One control event of a channel (watermark, barrier, ...); costs one credit, like a batch. */
  EVENT: 3,
  /** Receiver → sender: this many more frames may be sent on the channel. */
  CREDIT: 4,
  /** The peer closes the connection deliberately; the payload is the reason (UTF-8). */
  CLOSE: 5,
  /** First frame in each direction when authentication is on: a fresh 32-byte nonce. */
  CHALLENGE: 6,
  /** The answer to the peer's CHALLENGE: a 32-byte HMAC over both nonces with the run key. */
  PROOF: 7,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** Bytes of the length prefix. */
export const LENGTH_BYTES = 4;
/** Bytes of length prefix, type and channel id together. */
export const HEADER_BYTES = 9;
/** The smallest legal value of the length field: type and channel id, empty payload. */
export const MIN_FRAME_LENGTH = HEADER_BYTES - LENGTH_BYTES;

const names: Record<number, string> = { 1: 'HANDSHAKE', 2: 'DATA', 3: 'EVENT', 4: 'CREDIT', 5: 'CLOSE', 6: 'CHALLENGE', 7: 'PROOF' };

/**
 * Largest frame accepted before the peer authenticated and handshook (CHALLENGE, PROOF and
 * HANDSHAKE are far smaller): a peer that has proved nothing cannot make this process allocate more.
 */
export const MAX_UNAUTHENTICATED_FRAME = 4096;

export function isFrameType(type: number): type is FrameType {
  return names[type] !== undefined;
}

export function frameTypeName(type: number): string {
  return names[type] ?? `unknown(${type})`;
}

/** Writes the 9-byte header of a frame whose payload is `payloadLength` bytes. */
export function writeFrameHeader(target: Buffer, offset: number, type: FrameType, channelId: number, payloadLength: number): number {
  target.writeUInt32BE(MIN_FRAME_LENGTH + payloadLength, offset);
  target[offset + 4] = type;
  target.writeUInt32BE(channelId, offset + 5);
  return offset + HEADER_BYTES;
}
