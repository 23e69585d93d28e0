/**
 * Tuning of a process's data plane, in bytes, records and milliseconds. The `network` section
 * of the process configuration (runtime/config) decodes to this shape.
 */
export interface NetworkOptions {
  /** A batch is flushed once its encoded size reaches about this many bytes. */
  readonly bufferSize: number;
  /** ... or once it holds this many records. */
  readonly bufferRecords: number;
  /** ... or this many milliseconds after its first record; 0 flushes every record at once. */
  readonly bufferTimeout: number;
  /** Frames a receiver holds per channel: the credits it grants each sender. */
  readonly creditsPerChannel: number;
  /** Frames a sender queues per channel before `isAvailable()` turns false. */
  readonly maxQueuedBuffers: number;
  /** Largest frame accepted or sent, in bytes. */
  readonly maxFrameSize: number;
  /** How long to keep retrying a refused connection to a peer, in milliseconds. */
  readonly connectTimeout: number;
  /** Channels that may receive data before their receiver is registered (see data-plane.ts). */
  readonly maxUnregisteredChannels: number;
}
