import type { AsyncFunction, ResultFuture } from '../functions/async-function.ts';
import type { ListState } from '../state/keyed-state.ts';
import { AbstractUdfStreamOperator } from './abstract-udf-stream-operator.ts';

export type AsyncOutputMode = 'ordered' | 'unordered';

/** One record in flight (or done and waiting for its turn), or a watermark between them. */
type Entry =
  | { readonly kind: 'record'; readonly value: unknown; readonly timestamp: number; done: boolean; results: readonly unknown[]; error: unknown; timer: NodeJS.Timeout | undefined }
  | { readonly kind: 'watermark'; readonly timestamp: number };

/**
 * Async I/O, as Flink's AsyncWaitOperator: calls the AsyncFunction per record with at most
 * `capacity` calls in flight; records beyond that wait in the operator (at most one input batch)
 * and the operator is unavailable, so the task takes no more input and backpressures its producers
 * instead of growing memory. Results leave in input order (`ordered`) or as they complete
 * (`unordered`, but never across a watermark: a watermark leaves after every result before it).
 * Completions are handled in the task's mailbox. The inputs of every unfinished record are operator
 * state, so a restore (at any parallelism) calls them again: exactly-once holds.
 */
export class AsyncWaitOperator<IN, OUT> extends AbstractUdfStreamOperator {
  private readonly queue: Entry[] = [];
  private inFlight = 0;
  /** Records taken but not called yet: the queue's records from `issued` on. */
  private issued = 0;
  private state!: ListState<[unknown, number]>;
  private restored: [unknown, number][] = [];
  private drainScheduled = false;
  private finishing: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private waiting: Array<() => void> = [];
  private closed = false;
  private readonly invoke: (input: IN, future: ResultFuture<OUT>) => void;
  private readonly onTimeout: ((input: IN, future: ResultFuture<OUT>) => void) | undefined;

  constructor(
    fn: AsyncFunction<IN, OUT>,
    private readonly timeoutMs: number,
    private readonly capacity: number,
    private readonly mode: AsyncOutputMode,
  ) {
    super(fn);
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`async I/O capacity must be a positive integer, got ${capacity}`);
    if (!(timeoutMs > 0)) throw new RangeError(`async I/O timeout must be > 0 ms, got ${timeoutMs}`);
    if (typeof fn === 'function') {
      this.invoke = (input, future) => fn(input).then((r) => future.complete(r), (e: unknown) => future.completeExceptionally(e));
      this.onTimeout = undefined;
    } else {
      this.invoke = (input, future) => fn.asyncInvoke(input, future);
      this.onTimeout = fn.timeout ? (input, future) => fn.timeout!(input, future) : undefined;
    }
  }

  override initializeState(restore: Parameters<AbstractUdfStreamOperator['initializeState']>[0]): void {
    super.initializeState(restore);
    this.state = this.operatorState.getListState<[unknown, number]>('async-wait-in-flight');
    this.restored = [...this.state.get()];
    this.state.clear();
  }

  override open(): void {
    super.open();
    // Calls that were in flight at the checkpoint are made again, in their order.
    for (const [value, timestamp] of this.restored) this.processElement(value, timestamp);
    this.restored = [];
  }

  processElement(value: unknown, timestamp: number): void {
    this.queue.push({ kind: 'record', value, timestamp, done: false, results: [], error: undefined, timer: undefined });
    this.issue();
  }

  override processWatermark(timestamp: number): void {
    this.currentWatermark = timestamp;
    if (this.queue.length === 0) this.output.emitWatermark(timestamp);
    else this.queue.push({ kind: 'watermark', timestamp });
  }

  isAvailable(): boolean {
    return this.inFlight < this.capacity && this.issued === this.recordCount();
  }

  availability(): Promise<void> {
    return this.isAvailable() ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }

  override snapshotState(checkpointId: number) {
    this.state.update(this.queue.flatMap((e) => (e.kind === 'record' ? [[e.value, e.timestamp] as [unknown, number]] : [])));
    const snapshot = super.snapshotState(checkpointId);
    this.state.clear();
    return snapshot;
  }

  /** End of input: waits until every call completed and its results left. */
  override finish(): void | Promise<void> {
    if (this.queue.length === 0) return;
    return new Promise<void>((resolve, reject) => {
      this.finishing = { resolve, reject };
    });
  }

  override close(): void {
    this.closed = true;
    for (const e of this.queue) if (e.kind === 'record' && e.timer) clearTimeout(e.timer);
    super.close();
  }

  private recordCount(): number {
    let n = 0;
    for (const e of this.queue) if (e.kind === 'record') n++;
    return n;
  }

  /** Calls the function for waiting records while there is capacity. */
  private issue(): void {
    let seen = 0;
    for (const e of this.queue) {
      if (e.kind !== 'record') continue;
      if (seen++ < this.issued) continue;
      if (this.inFlight >= this.capacity) return;
      this.inFlight++;
      this.issued++;
      this.call(e);
    }
  }

  private call(e: Extract<Entry, { kind: 'record' }>): void {
    let settled = false;
    const settle = (results: readonly unknown[], error: unknown) => {
      if (settled || this.closed) return;
      settled = true;
      if (e.timer) clearTimeout(e.timer);
      e.done = true;
      e.results = results;
      e.error = error;
      this.inFlight--;
      this.scheduleDrain();
    };
    const future: ResultFuture<OUT> = {
      complete: (results) => settle([...results], undefined),
      completeExceptionally: (error) => settle([], error ?? new Error('async call failed')),
    };
    e.timer = setTimeout(() => {
      if (settled) return;
      if (this.onTimeout) this.onTimeout(e.value as IN, future);
      else settle([], new Error(`async call timed out after ${this.timeoutMs} ms in operator "${this.ctx.name}"`));
    }, this.timeoutMs);
    try {
      this.invoke(e.value as IN, future);
    } catch (error) {
      settle([], error);
    }
  }

  /** Completions are emitted in the task's mailbox (between batches); while finishing, at once. */
  private scheduleDrain(): void {
    if (this.finishing) {
      try {
        this.drain();
      } catch (error) {
        this.finishing.reject(error);
      }
      return;
    }
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    this.ctx.time.schedule(0, () => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.mode === 'ordered') {
      while (this.queue.length > 0 && (this.queue[0]!.kind === 'watermark' || this.queue[0]!.done)) this.emit(this.queue.shift()!);
    } else {
      for (;;) {
        // Done records before the first watermark leave in completion order (here: queue order of those done).
        let i = 0;
        while (i < this.queue.length && this.queue[i]!.kind === 'record') {
          const e = this.queue[i]!;
          if (e.kind === 'record' && e.done) {
            this.queue.splice(i, 1);
            this.emit(e);
          } else i++;
        }
        if (i === 0 && this.queue.length > 0 && this.queue[0]!.kind === 'watermark') this.emit(this.queue.shift()!);
        else break;
      }
    }
    this.issue();
    if (this.isAvailable() && this.waiting.length > 0) for (const w of this.waiting.splice(0)) w();
    if (this.finishing && this.queue.length === 0) this.finishing.resolve();
  }

  private emit(e: Entry): void {
    if (e.kind === 'watermark') {
      this.output.emitWatermark(e.timestamp);
      return;
    }
    this.issued--;
    if (e.error !== undefined) throw e.error;
    for (const r of e.results) this.output.collect(r, e.timestamp);
  }
}
