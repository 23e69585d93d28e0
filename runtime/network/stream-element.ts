/**
 * What travels through a channel besides records. Records themselves travel in batches of
 * parallel arrays (see RecordBatch) so that no object is allocated per record.
 */

export type ControlEvent =
  /** Event time has reached `timestamp` on this channel. */
  | { readonly kind: 'watermark'; readonly timestamp: number }
  /** The channel's producer is idle (true) or active again (false); idle channels do not hold back watermarks. */
  | { readonly kind: 'idle'; readonly idle: boolean }
  /** Checkpoint barrier n: everything before it belongs to checkpoint n. */
  | { readonly kind: 'barrier'; readonly checkpointId: number; readonly timestamp: number; readonly savepoint: boolean }
  /** The producer finished; no element follows on this channel. */
  | { readonly kind: 'end-of-partition' };

/** A batch of records of one channel, in order. `timestamps[i]` belongs to `values[i]`. */
export interface RecordBatch {
  readonly values: unknown[];
  readonly timestamps: number[];
}
