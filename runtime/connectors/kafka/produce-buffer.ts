import type { MessageToProduce } from '@platformatic/kafka';

/** A record as the sink hands it to the client: headers as a plain object. */
export type KafkaMessage = MessageToProduce<Buffer, Buffer, string, Buffer> & { headers?: Record<string, Buffer> };

export interface ProduceBufferOptions {
  /** Bytes of records per produce request, at most (one record more if a single record is larger). */
  readonly maxRequestBytes: number;
  /** Bytes of records waiting for their request beyond the one in flight before `isAvailable()` says no. */
  readonly maxBufferedBytes: number;
}

/**
 * Gathers a sink writer's records into produce requests, one request in flight at a time (so a
 * partition's records reach the broker in the order written): records written while a request is
 * out wait for the next one, and the first record after a quiet spell is sent once the task's
 * current burst is done. `write` never waits and allocates no promise; `flush()` resolves once every
 * record written so far is acknowledged. A failed request fails the buffer: the next `write` or
 * `flush` throws its error (the records are in no checkpoint, so nothing is lost).
 */
export class ProduceBuffer {
  private pending: KafkaMessage[] = [];
  private pendingBytes = 0;
  private inFlight = false;
  private scheduled = false;
  private failure: { error: unknown } | undefined;
  /** Waiters for "nothing pending, nothing in flight" (flush) and for room (availability). */
  private idleWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private roomWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (messages: KafkaMessage[]) => Promise<unknown>,
    private readonly options: ProduceBufferOptions,
  ) {}

  write(message: KafkaMessage): void {
    if (this.failure !== undefined) throw this.failure.error;
    this.pending.push(message);
    this.pendingBytes += messageBytes(message);
    if (!this.inFlight && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.sendNext);
    }
  }

  /** Room for more records (or a failure, which the next write reports). */
  isAvailable(): boolean {
    return this.pendingBytes < this.options.maxBufferedBytes || this.failure !== undefined;
  }

  availability(): Promise<void> {
    if (this.isAvailable()) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Resolves once every record written so far is acknowledged; rejects if a request failed. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    if (this.pending.length === 0 && !this.inFlight) return Promise.resolve();
    const idle = new Promise<void>((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
    if (!this.inFlight) this.sendNext();
    return idle;
  }

  /** Records written and not yet acknowledged. */
  get buffered(): boolean {
    return this.pending.length > 0 || this.inFlight;
  }

  private readonly sendNext = (): void => {
    this.scheduled = false;
    if (this.inFlight || this.failure !== undefined) return;
    if (this.pending.length === 0) {
      this.settleIdle(undefined);
      return;
    }
    const batch = this.takeRequest();
    this.inFlight = true;
    this.send(batch).then(
      () => {
        this.inFlight = false;
        this.sendNext();
      },
      (error: unknown) => {
        this.inFlight = false;
        this.failure = { error };
        this.settleIdle(error);
        this.wakeRoomWaiters();
      },
    );
    this.wakeRoomWaiters();
  };

  /** The oldest records up to maxRequestBytes; the rest stay pending. */
  private takeRequest(): KafkaMessage[] {
    if (this.pendingBytes <= this.options.maxRequestBytes) {
      const all = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      return all;
    }
    let bytes = 0;
    let count = 0;
    while (count < this.pending.length && (count === 0 || bytes + messageBytes(this.pending[count]!) <= this.options.maxRequestBytes)) {
      bytes += messageBytes(this.pending[count]!);
      count++;
    }
    const request = this.pending.slice(0, count);
    this.pending = this.pending.slice(count);
    this.pendingBytes -= bytes;
    return request;
  }

  private settleIdle(error: unknown): void {
    const waiters = this.idleWaiters;
    if (waiters.length === 0) return;
    this.idleWaiters = [];
    for (const w of waiters) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
  }

  private wakeRoomWaiters(): void {
    if (!this.isAvailable() || this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}

/** What a record weighs in a request: key, value and headers, plus the record's framing. */
export function messageBytes(message: KafkaMessage): number {
  let bytes = 16 + (message.key?.length ?? 0) + (message.value?.length ?? 0);
  if (message.headers !== undefined) for (const k in message.headers) bytes += k.length + message.headers[k]!.length;
  return bytes;
}
