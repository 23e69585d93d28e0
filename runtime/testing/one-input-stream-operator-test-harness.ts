import type { DataStream } from '../api/data-stream.ts';
import { DEFAULT_MAX_PARALLELISM, keyGroupRangeFor } from '../core/key-group.ts';
import type { Key, KeySelector } from '../core/key.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import { asOneInput, type OneInputStreamOperator } from '../operators/stream-operator.ts';
import { assignStateToSubtask, EMPTY_RESTORE, type OperatorSnapshot } from '../state/state-snapshot.ts';
import { HarnessOutput, type EmittedElement } from './harness-output.ts';
import { ManualProcessingTimeService } from './manual-processing-time-service.ts';

export interface OperatorTestHarnessOptions {
  /** Key of each input record: the operator runs on a keyed stream (keyed state, timers). */
  readonly keySelector?: KeySelector<unknown, Key>;
  /** Key groups (default 128); a snapshot restores only into the same number. */
  readonly maxParallelism?: number;
  /** The operator runs as subtask `subtaskIndex` of `parallelism` (default 0 of 1). */
  readonly parallelism?: number;
  readonly subtaskIndex?: number;
  /** Processing time at the start (default 0); it moves only by `setProcessingTime`. */
  readonly processingTime?: number;
  /** The operator's name in errors and its operator id in snapshots. */
  readonly name?: string;
}

/**
 * Drives one operator by hand, as Flink's `OneInputStreamOperatorTestHarness`: the test calls
 * `processElement`, `processWatermark`, `setProcessingTime`, takes snapshots and restores them, and
 * reads what the operator emitted. The operator runs as in a task (setup, initializeState, open,
 * …, finish, close) with the heap state backend and the timer service, on processing time that
 * moves only when the test moves it. Every call runs synchronously, as a task's mailbox would.
 */
export class OneInputStreamOperatorTestHarness<IN, OUT> {
  /**
   * A harness for the operator that produces `stream` (its last `map`, `process`, window, …), built
   * by the same factory the job would use, keyed when the stream was keyed before it.
   */
  static forStream<OUT>(stream: DataStream<OUT>, options: Omit<OperatorTestHarnessOptions, 'keySelector' | 'name'> = {}): OneInputStreamOperatorTestHarness<unknown, OUT> {
    const t = stream.transformation;
    if (t.kind !== 'operator' || t.spec.createOperator === undefined) {
      throw new Error(`"${t.name}" is not a one-input operator (a ${t.kind} transformation): build the harness for the stream an operator produces`);
    }
    const operator = asOneInput(t.spec.createOperator(), t.name);
    return new OneInputStreamOperatorTestHarness<unknown, OUT>(operator, { ...options, keySelector: t.spec.keySelector, name: t.uid ?? t.name });
  }

  private readonly output = new HarnessOutput();
  private readonly time: ManualProcessingTimeService;
  private readonly maxParallelism: number;
  private readonly parallelism: number;
  private readonly subtaskIndex: number;
  private readonly name: string;
  private state: 'created' | 'open' | 'finished' | 'closed' = 'created';
  private lastCheckpointId = 0;

  constructor(
    readonly operator: OneInputStreamOperator,
    private readonly options: OperatorTestHarnessOptions = {},
  ) {
    this.time = new ManualProcessingTimeService(options.processingTime ?? 0);
    this.maxParallelism = options.maxParallelism ?? DEFAULT_MAX_PARALLELISM;
    this.parallelism = options.parallelism ?? 1;
    this.subtaskIndex = options.subtaskIndex ?? 0;
    this.name = options.name ?? 'operator under test';
  }

  /**
   * Sets the operator up and opens it, from `restore` if given: snapshots of earlier harnesses (one,
   * or those of every subtask of another parallelism), dealt out as a restore from a checkpoint would.
   */
  open(restore?: OperatorSnapshot | readonly OperatorSnapshot[]): this {
    if (this.state !== 'created') throw new Error(`the harness of "${this.name}" was already opened`);
    this.operator.setup({
      operatorId: this.name,
      name: this.name,
      uid: undefined,
      taskName: `${this.name} (${this.subtaskIndex + 1}/${this.parallelism})`,
      subtaskIndex: this.subtaskIndex,
      parallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      attemptNumber: 0,
      checkpointing: true,
      keyGroupRange: keyGroupRangeFor(this.maxParallelism, this.parallelism, this.subtaskIndex),
      keySelector: this.options.keySelector,
      output: this.output,
      time: this.time,
    });
    const snapshots = restore === undefined ? [] : Array.isArray(restore) ? (restore as readonly OperatorSnapshot[]) : [restore as OperatorSnapshot];
    this.operator.initializeState(
      snapshots.length === 0 ? EMPTY_RESTORE : assignStateToSubtask(snapshots, this.maxParallelism, this.parallelism, this.subtaskIndex),
    );
    this.operator.open();
    this.state = 'open';
    return this;
  }

  processElement(value: IN, timestamp = Number.NEGATIVE_INFINITY): this {
    this.requireOpen();
    this.operator.recordsIn++;
    this.operator.processElement(value, timestamp);
    return this;
  }

  /** The input's watermark advanced: event-time timers and windows up to `timestamp` fire. */
  processWatermark(timestamp: number): this {
    this.requireOpen();
    this.operator.processWatermark(timestamp);
    return this;
  }

  /** Moves processing time to `time`: processing-time timers and windows due by then fire, in time order. */
  setProcessingTime(time: number): this {
    this.requireOpen();
    this.time.setCurrentTime(time);
    return this;
  }

  getProcessingTime(): number {
    return this.time.now();
  }

  /** The operator's state as a checkpoint would take it now (keyed state and timers per key group, operator state). */
  snapshot(checkpointId = this.lastCheckpointId + 1): OperatorSnapshot {
    if (this.state !== 'open' && this.state !== 'finished') throw new Error(`the harness of "${this.name}" is ${this.state}: only an open operator is snapshotted`);
    this.lastCheckpointId = checkpointId;
    return this.operator.snapshotState(checkpointId);
  }

  /** Checkpoint `checkpointId` completed: the operator commits (a returned promise is awaited). */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.operator.notifyCheckpointComplete(checkpointId);
  }

  /** End of input: the operator emits what it buffers (a bounded input ends with a final watermark first, as in a job). */
  async endInput(): Promise<void> {
    this.requireOpen();
    this.state = 'finished';
    await this.operator.finish();
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.operator.close();
  }

  /** Everything emitted so far, in order: records, watermarks, idleness. */
  getOutput(): readonly EmittedElement<OUT>[] {
    return this.output.elements as EmittedElement<OUT>[];
  }

  /** The values of the records emitted so far, in order. */
  extractOutputValues(): OUT[] {
    const values: OUT[] = [];
    for (const e of this.output.elements) if (e.kind === 'record') values.push(e.value as OUT);
    return values;
  }

  /** The records emitted so far with their timestamps, in order. */
  extractOutputRecords(): { value: OUT; timestamp: number }[] {
    const records: { value: OUT; timestamp: number }[] = [];
    for (const e of this.output.elements) if (e.kind === 'record') records.push({ value: e.value as OUT, timestamp: e.timestamp });
    return records;
  }

  /** The values emitted to side output `tag` (late data, for one), in order. */
  getSideOutput<X>(tag: OutputTag<X>): X[] {
    return (this.output.sideOutputs.get(tag.id) ?? []).map((r) => r.value as X);
  }

  /** Forgets what was emitted so far (the operator's state stays). */
  clearOutput(): void {
    this.output.elements.length = 0;
    this.output.sideOutputs.clear();
  }

  /** Processing-time callbacks (timers, periodic watermarks) scheduled and not yet due. */
  get pendingProcessingTimeCallbacks(): number {
    return this.time.pendingCount;
  }

  private requireOpen(): void {
    if (this.state !== 'open') throw new Error(`the harness of "${this.name}" is ${this.state}: open() it first${this.state === 'created' ? '' : ' (a harness runs once)'}`);
  }
}
