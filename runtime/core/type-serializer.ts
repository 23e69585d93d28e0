/**
 * Encodes the values of a stream for the wire. Works on whole batches, never one record at a
 * time: per-record encode calls halve throughput (measured on msgpackr). The default is
 * msgpackr with records; a job may give its own per stream.
 */
export interface TypeSerializer<T = unknown> {
  encodeBatch(values: readonly T[]): Uint8Array;
  decodeBatch(bytes: Uint8Array): T[];
}
