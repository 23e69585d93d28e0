import type { ChannelElement, ChannelWriter, InputChannel } from './channel.ts';
import type { ControlEvent, RecordBatch } from './stream-element.ts';

export interface LocalChannelOptions {
  /** Records per batch handed over. */
  readonly batchSize: number;
  /** Unconsumed batches the receiver may hold before the writer becomes unavailable. */
  readonly capacity: number;
}

export const DEFAULT_LOCAL_CHANNEL_OPTIONS: LocalChannelOptions = { batchSize: 1024, capacity: 8 };

/**
 * A channel between two subtasks of the same process: both ends in one object. Batches are
 * handed over as arrays, never encoded; the writer is unavailable while the receiver holds
 * `capacity` unconsumed batches, so backpressure works in-process as it does over TCP.
 */
export class LocalChannel implements ChannelWriter, InputChannel {
  private values: unknown[];
  private timestamps: number[];
  /** Records in the batch being filled (the arrays are preallocated; writes past their length extend them). */
  private count = 0;
  private readonly queue: ChannelElement[] = [];
  private queuedBatches = 0;
  private listener: (() => void) | undefined;
  /** The receiver saw an empty queue and must be told about the next element. */
  private receiverWaiting = true;
  private waiter: { promise: Promise<void>; resolve: () => void } | undefined;
  private closed = false;

  constructor(
    readonly id: number,
    private readonly options: LocalChannelOptions = DEFAULT_LOCAL_CHANNEL_OPTIONS,
  ) {
    this.values = new Array<unknown>(options.batchSize);
    this.timestamps = new Array<number>(options.batchSize);
  }

  emit(value: unknown, timestamp: number): void {
    const i = this.count++;
    this.values[i] = value;
    this.timestamps[i] = timestamp;
    if (this.count === this.options.batchSize) this.flush();
  }

  emitEvent(event: ControlEvent): void {
    this.flush();
    this.enqueue(event);
  }

  flush(): void {
    const n = this.count;
    if (n === 0) return;
    if (this.values.length !== n) {
      this.values.length = n;
      this.timestamps.length = n;
    }
    const batch: RecordBatch = { values: this.values, timestamps: this.timestamps };
    // Size the next batch after this one: full batches at high rates, small arrays when flushed early.
    const size = n === this.options.batchSize ? n : Math.min(this.options.batchSize, Math.max(16, 2 * n));
    this.values = new Array<unknown>(size);
    this.timestamps = new Array<number>(size);
    this.count = 0;
    this.queuedBatches++;
    this.enqueue(batch);
  }

  isAvailable(): boolean {
    return this.queuedBatches < this.options.capacity || this.closed;
  }

  availability(): Promise<void> {
    if (this.isAvailable()) return Promise.resolve();
    if (!this.waiter) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.waiter = { promise, resolve };
    }
    return this.waiter.promise;
  }

  poll(): ChannelElement | null {
    const element = this.queue.shift();
    if (element === undefined) {
      this.receiverWaiting = true;
      return null;
    }
    if ((element as ControlEvent).kind === undefined) {
      this.queuedBatches--;
      if (this.waiter && this.isAvailable()) this.release();
    }
    return element;
  }

  setAvailabilityListener(listener: () => void): void {
    this.listener = listener;
    if (this.queue.length > 0) {
      this.receiverWaiting = false;
      listener();
    }
  }

  /** Number of batches waiting for the receiver. */
  get backlog(): number {
    return this.queuedBatches;
  }

  close(): void {
    this.closed = true;
    this.release();
  }

  private enqueue(element: ChannelElement): void {
    if (this.closed) return;
    this.queue.push(element);
    if (this.receiverWaiting && this.listener) {
      this.receiverWaiting = false;
      this.listener();
    }
  }

  private release(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.resolve();
  }
}
