import type { ControlEvent, RecordBatch } from './stream-element.ts';

/**
 * The seam between a task and the data plane. A channel connects one producer subtask to one
 * consumer subtask of an edge. Local channels (same process) hand over arrays without encoding;
 * remote channels encode batches and cross TCP under credit-based flow control. A task sees only
 * these interfaces, never which kind it has.
 */

/** The sending end of one channel. Records are buffered and handed over in batches. */
export interface ChannelWriter {
  /** Appends one record to the current batch; never blocks. Callers check `isAvailable()` between batches. */
  emit(value: unknown, timestamp: number): void;
  /** Hands over buffered records, then the event, preserving order. */
  emitEvent(event: ControlEvent): void;
  /** Hands over buffered records now (buffer timeout, end of a task's input batch). */
  flush(): void;
  /** False while the receiver has granted no room for more batches (backpressure). */
  isAvailable(): boolean;
  /** Resolves when `isAvailable()` becomes true; already resolved when it is. */
  availability(): Promise<void>;
  /** Releases buffers and timers; after `end-of-partition` or on cancellation. */
  close(): void;
}

/** One element delivered by an input channel. */
export type ChannelElement = RecordBatch | ControlEvent;

/** The receiving end of one channel. */
export interface InputChannel {
  /** Next batch or event in order, or null when none is buffered. Taking a batch returns its credit to the sender. */
  poll(): ChannelElement | null;
  /** Called (at most once per poll-until-null cycle is enough) when an element becomes available. */
  setAvailabilityListener(listener: () => void): void;
  /** Releases the channel on cancellation. */
  close(): void;
}
