import { deserializeVersioned, serializeVersioned } from '../connectors/simple-versioned-serializer.ts';
import type { AnySource, SourceSplit } from '../connectors/source.ts';
import type { SplitEnumerator } from '../connectors/split-enumerator.ts';
import type { ReaderInfo, SplitEnumeratorContext } from '../connectors/split-enumerator-context.ts';
import type { CoordinatorEvent, ReaderEvent } from '../operators/source-operator-event.ts';

export interface SourceCoordinatorOptions {
  readonly source: AnySource;
  /** The source's name, for errors. */
  readonly name: string;
  readonly parallelism: number;
  /** Delivers an event to subtask `subtask` of the source, in order. */
  readonly send: (subtask: number, event: CoordinatorEvent) => void;
  /** The enumerator failed (a handler threw, discovery failed): the job fails over. */
  readonly fail: (error: Error) => void;
}

/**
 * The JobManager side of one source for one job attempt (Flink's SourceCoordinator): runs the
 * source's SplitEnumerator and is its SplitEnumeratorContext. The enumerator is made when subtask
 * 0's reader registers: restored from the state that reader brought from the checkpoint, or new
 * when the job starts without state; events of other readers wait until then. Before each checkpoint
 * is triggered, `checkpoint` sends the enumerator's state to subtask 0, ahead of the trigger and of
 * any later assignment, so the checkpoint holds each split exactly once.
 */
export class SourceCoordinator implements SplitEnumeratorContext<SourceSplit> {
  private enumerator: SplitEnumerator<SourceSplit, unknown> | undefined;
  private readonly readers = new Map<number, ReaderInfo>();
  private readonly waiting: Array<{ subtask: number; event: ReaderEvent }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: SourceCoordinatorOptions) {}

  /** An event of reader `subtask`. */
  handleReaderEvent(subtask: number, event: ReaderEvent): void {
    if (this.closed) return;
    if (this.enumerator === undefined) {
      if (subtask !== 0 || event.kind !== 'reader-registered') {
        this.waiting.push({ subtask, event });
        return;
      }
      if (!this.guard(() => this.createEnumerator(event))) return;
      this.dispatch(subtask, event);
      for (const w of this.waiting.splice(0)) this.dispatch(w.subtask, w.event);
      return;
    }
    this.dispatch(subtask, event);
  }

  /** Checkpoint `checkpointId` is about to be triggered: the enumerator's state goes to subtask 0 first. */
  checkpoint(checkpointId: number): void {
    const enumerator = this.enumerator;
    if (enumerator === undefined) throw new Error(`source "${this.options.name}" cannot take checkpoint ${checkpointId}: its enumerator does not run yet`);
    const state = serializeVersioned(this.options.source.enumeratorCheckpointSerializer, enumerator.snapshotState(checkpointId));
    this.options.send(0, { kind: 'enumerator-checkpoint', checkpointId, state });
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.guard(() => this.enumerator?.notifyCheckpointComplete?.(checkpointId));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    try {
      this.enumerator?.close();
    } catch {
      // The attempt is over; a failing close changes nothing about it.
    }
  }

  // ---- SplitEnumeratorContext ----

  currentParallelism(): number {
    return this.options.parallelism;
  }

  registeredReaders(): ReadonlyMap<number, ReaderInfo> {
    return this.readers;
  }

  assignSplits(assignment: ReadonlyMap<number, readonly SourceSplit[]>): void {
    for (const subtask of assignment.keys()) {
      if (!this.readers.has(subtask)) throw new Error(`source "${this.options.name}": cannot assign splits to reader ${subtask}, which has not registered`);
    }
    const serializer = this.options.source.splitSerializer;
    for (const [subtask, splits] of assignment) {
      if (splits.length > 0) this.options.send(subtask, { kind: 'add-splits', splits: splits.map((s) => serializeVersioned(serializer, s)) });
    }
  }

  assignSplit(split: SourceSplit, subtaskId: number): void {
    this.assignSplits(new Map([[subtaskId, [split]]]));
  }

  signalNoMoreSplits(subtaskId: number): void {
    this.options.send(subtaskId, { kind: 'no-more-splits' });
  }

  sendEventToSourceReader(subtaskId: number, event: unknown): void {
    this.options.send(subtaskId, { kind: 'source-event', event });
  }

  callAsync<R>(callable: () => Promise<R>, handler: (result: R | undefined, error: unknown) => void, initialDelay = 0, period?: number): void {
    const run = () => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.closed) return;
        let call: Promise<R>;
        try {
          call = callable();
        } catch (e) {
          call = Promise.reject(e);
        }
        call.then(
          (result) => this.afterCall(() => handler(result, undefined), period, run),
          (error: unknown) => this.afterCall(() => handler(undefined, error ?? new Error('callAsync failed')), period, run),
        );
      }, initialDelay);
      this.timers.add(timer);
      initialDelay = period ?? 0;
    };
    run();
  }

  // ----

  private afterCall(handle: () => void, period: number | undefined, again: () => void): void {
    if (this.closed) return;
    if (this.guard(handle) && period !== undefined) again();
  }

  private createEnumerator(registration: Extract<ReaderEvent, { kind: 'reader-registered' }>): void {
    const { source, name } = this.options;
    if (registration.restored && registration.restoredEnumerator === undefined) {
      throw new Error(`source "${name}" is restored from a checkpoint that holds no state of its split enumerator`);
    }
    this.enumerator =
      registration.restoredEnumerator === undefined
        ? source.createEnumerator(this)
        : source.restoreEnumerator(this, deserializeVersioned(source.enumeratorCheckpointSerializer, registration.restoredEnumerator));
    this.enumerator.start();
  }

  private dispatch(subtask: number, event: ReaderEvent): void {
    this.guard(() => {
      const enumerator = this.enumerator!;
      switch (event.kind) {
        case 'reader-registered':
          this.readers.set(subtask, { subtaskId: subtask });
          enumerator.addReader(subtask);
          return;
        case 'split-request':
          enumerator.handleSplitRequest(subtask);
          return;
        case 'source-event':
          enumerator.handleSourceEvent?.(subtask, event.event);
          return;
      }
    });
  }

  /** Runs an enumerator call; a failure fails the job (once) and stops the coordinator. */
  private guard(call: () => void): boolean {
    try {
      call();
      return true;
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const named = new Error(`split enumerator of source "${this.options.name}" failed: ${error.message}`, { cause: error });
      this.close();
      this.options.fail(named);
      return false;
    }
  }
}
