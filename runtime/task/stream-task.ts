import type { JobGraph, JobVertex } from '../graph/job-graph.ts';
import { InputGate } from '../network/input-gate.ts';
import { RecordWriter } from '../network/record-writer.ts';
import type { ControlEvent, RecordBatch } from '../network/stream-element.ts';
import type { SourceOperator } from '../operators/source-operator.ts';
import type { CoordinatorEvent } from '../operators/source-operator-event.ts';
import { EMPTY_RESTORE, type OperatorSnapshot } from '../state/state-snapshot.ts';
import { createInputGate, createRecordWriters } from './task-channels.ts';
import { CheckpointBarrierAligner } from './checkpoint-barrier-aligner.ts';
import { CheckpointBarrierTracker, type CheckpointBarrierHandler } from './checkpoint-barrier-tracker.ts';
import { operatorMetrics, type OperatorMetrics } from './operator-metrics.ts';
import { OperatorChain, operatorFailure } from './operator-chain.ts';
import type { StreamTaskOptions } from './stream-task-options.ts';
import { TaskCancelledError } from './task-cancelled-error.ts';
import type { CheckpointTriggerOptions } from './task-checkpoint.ts';
import { MailboxProcessingTimeService } from './mailbox-processing-time-service.ts';
import { asOneInput, isTwoInputOperator } from '../operators/stream-operator.ts';
import type { StreamInputProcessor } from './stream-input-processor.ts';
import { StreamOneInputProcessor } from './stream-one-input-processor.ts';
import { StreamTwoInputProcessor } from './stream-two-input-processor.ts';
import { TaskOutputs } from './task-outputs.ts';
import type { TaskDeploymentDescriptor } from './task-deployment-descriptor.ts';

/**
 * `finishing`: end of input, operators are being finished (their promises awaited); `ended`: its
 * partitions ended, it waits for the job's final checkpoint. Both still run the mailbox.
 */
type TaskState = 'created' | 'running' | 'finishing' | 'ended' | 'finished' | 'failed' | 'cancelled';

const ALIVE: ReadonlySet<TaskState> = new Set(['running', 'finishing', 'ended']);

/**
 * One subtask: runs a vertex's operator chain in a mailbox-style loop on the event loop. Each
 * cycle runs queued mail (timers, checkpoint triggers), then a burst of source records or a
 * few input batches, each processed synchronously through the chain, then yields. It waits
 * (without spinning) when outputs are backpressured or the input is empty, and flushes its
 * outputs whenever it runs out of input, so low rates see low latency, and while busy at least
 * every buffer timeout, so a rarely used output does not hold records back.
 */
export class StreamTask {
  readonly vertex: JobVertex;
  private state: TaskState = 'created';
  private chain!: OperatorChain;
  private writers: RecordWriter[] = [];
  private outputs = new TaskOutputs([]);
  private gate!: InputGate;
  private input!: StreamInputProcessor;
  private barriers!: CheckpointBarrierHandler;
  private readonly time: MailboxProcessingTimeService;
  private readonly mailbox: Array<() => void> = [];
  private scheduled = false;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private readonly sourceBurst: number;
  private readonly batchesPerCycle: number;
  private readonly bufferTimeout: number;
  private lastFlush = 0;
  /** The newest checkpoint this task took: a second trigger for it (barrier, then direct) is ignored. */
  private lastCheckpointId = -1;
  /** A source that took this stop-with-savepoint emits nothing more unless it is aborted. */
  private stoppedAt: number | undefined;
  /** Completion notices whose operators returned promises; awaited before the task exits. */
  private notifications: Promise<unknown> = Promise.resolve();
  private exiting = false;

  constructor(
    private readonly graph: JobGraph,
    readonly descriptor: TaskDeploymentDescriptor,
    private readonly options: StreamTaskOptions,
  ) {
    this.vertex = graph.vertex(descriptor.vertexId);
    this.time = new MailboxProcessingTimeService((action) => this.enqueue(action));
    this.sourceBurst = options.sourceBurst ?? 1000;
    this.batchesPerCycle = options.batchesPerCycle ?? 16;
    this.bufferTimeout = options.bufferTimeout ?? 10;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Ended its partitions and waits for the final checkpoint (only with checkpointing). */
  get isEnded(): boolean {
    return this.state === 'ended';
  }

  /** Running, finishing or ended: it still takes checkpoints. */
  get isAlive(): boolean {
    return ALIVE.has(this.state);
  }

  get name(): string {
    return `${this.vertex.name} (${this.descriptor.subtaskIndex + 1}/${this.descriptor.parallelism})`;
  }

  /** Deploys and runs the subtask; settles when it finished, failed or was cancelled. */
  run(): Promise<void> {
    if (this.state !== 'created') throw new Error(`task ${this.name} was already started`);
    this.state = 'running';
    return new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
      try {
        this.deploy();
        this.wake();
      } catch (e) {
        this.fail(e);
      }
    });
  }

  /**
   * Takes checkpoint `checkpointId` now: a source sends its barrier downstream; an ended task (its
   * partitions ended, so no barrier can reach it) snapshots its final state and sends nothing. A
   * checkpoint the task already took is ignored.
   */
  triggerCheckpoint(checkpointId: number, timestamp: number, options: CheckpointTriggerOptions = {}): void {
    this.enqueue(() => {
      if (!this.vertex.isSource && this.state === 'running') {
        throw new Error(`task ${this.name} was triggered for checkpoint ${checkpointId} directly, but it takes checkpoints at barriers until its input ends`);
      }
      const savepoint = options.savepoint ?? false;
      if (this.performCheckpoint(checkpointId, timestamp, savepoint) && options.stop && this.vertex.isSource) this.stoppedAt = checkpointId;
    });
  }

  /**
   * Checkpoint `checkpointId` completed: operators commit. `final`: it is the job's last checkpoint
   * (every subtask had ended, or a stop-with-savepoint): the task exits FINISHED once its operators'
   * notifications settled, without finishing operators that have not (no draining).
   */
  notifyCheckpointComplete(checkpointId: number, final = false): void {
    this.enqueue(() => {
      const pending: Promise<void>[] = [];
      this.chain.forEach((c) => {
        const r = c.operator.notifyCheckpointComplete(checkpointId);
        if (r) pending.push(r.catch((e: unknown) => Promise.reject(operatorFailure(e, c.node, this.descriptor.subtaskIndex))));
      }, this.descriptor.subtaskIndex);
      if (pending.length > 0) {
        const settled = Promise.all([this.notifications, ...pending]);
        this.notifications = settled;
        settled.catch((e: unknown) => this.fail(e));
      }
      if (final) this.exitAfterNotifications();
    });
  }

  /** A checkpoint was aborted: a source stopped by it (a failed stop-with-savepoint) emits again. */
  notifyCheckpointAborted(checkpointId: number): void {
    this.enqueue(() => {
      if (this.stoppedAt === checkpointId) this.stoppedAt = undefined;
    });
  }

  /** An event of the source's coordinator for this source subtask, handled on the mailbox in the order sent. */
  handleCoordinatorEvent(event: CoordinatorEvent): void {
    this.enqueue(() => {
      const head = this.chain.head;
      try {
        (head.operator as SourceOperator<unknown>).handleCoordinatorEvent(event);
      } catch (e) {
        throw operatorFailure(e, head.node, this.descriptor.subtaskIndex);
      }
    });
  }

  cancel(): void {
    if (!ALIVE.has(this.state) && this.state !== 'created') return;
    this.state = 'cancelled';
    this.release();
    this.settle?.reject(new TaskCancelledError(this.name));
  }

  metrics(): OperatorMetrics[] {
    return this.chain ? operatorMetrics(this.chain, this.descriptor.subtaskIndex) : [];
  }

  private deploy(): void {
    const d = this.descriptor;
    const writersByEdge = createRecordWriters(this.graph, d, this.options.channels);
    this.writers = [...writersByEdge.values()];
    const { gate, blockable } = createInputGate(this.graph, d, this.options.channels, this.options.checkpointingMode ?? 'exactly-once');
    this.gate = gate;
    this.barriers = blockable
      ? new CheckpointBarrierAligner(blockable, (id, ts, sp, alignment) => this.performCheckpoint(id, ts, sp, alignment))
      : new CheckpointBarrierTracker(this.gate.size, (id, ts, sp) => this.performCheckpoint(id, ts, sp));
    this.chain = new OperatorChain(this.vertex, d, writersByEdge, this.time, this.options.checkpointing ?? false);
    if (this.vertex.isSource && this.options.readerEvents) (this.chain.head.operator as SourceOperator<unknown>).setReaderEventGateway(this.options.readerEvents);
    this.input = this.createInputProcessor();
    const index = d.subtaskIndex;
    this.chain.forEach((c) => c.operator.initializeState(this.options.restore?.(c.node.operatorId) ?? EMPTY_RESTORE), index);
    this.chain.forEach((c) => c.operator.open(), index, true);
    this.outputs = new TaskOutputs([...this.writers, ...this.chain.operators.map((c) => c.operator)]);
    this.gate.setAvailabilityListener(() => this.wake());
  }

  private createInputProcessor(): StreamInputProcessor {
    const head = this.chain.head;
    const blame = (e: unknown) => operatorFailure(e, head.node, this.descriptor.subtaskIndex);
    if (!head.node.twoInput) return new StreamOneInputProcessor(asOneInput(head.operator, head.node.name), this.gate.size, blame);
    if (!isTwoInputOperator(head.operator)) throw new Error(`operator "${head.node.name}" has two inputs but is not a two-input operator`);
    return new StreamTwoInputProcessor(head.operator, this.descriptor.inputs.map((i) => i.inputIndex), blame);
  }

  private enqueue(action: () => void): void {
    this.mailbox.push(action);
    this.wake();
  }

  private wake(): void {
    if (this.scheduled || !ALIVE.has(this.state)) return;
    this.scheduled = true;
    setImmediate(this.cycle);
  }

  private readonly cycle = (): void => {
    this.scheduled = false;
    try {
      while (this.mailbox.length > 0 && ALIVE.has(this.state)) this.mailbox.shift()!();
      if (this.state !== 'running' || this.stoppedAt !== undefined) return;
      if (!this.outputs.isAvailable()) {
        this.waitForOutput();
        return;
      }
      if (this.vertex.isSource ? this.sourceStep() : this.inputStep()) {
        // Busy: flush only when a record may have waited for the buffer timeout (a rarely used edge).
        if (Date.now() - this.lastFlush >= this.bufferTimeout) this.flush();
        this.wake();
      } else if (this.state === 'running') this.flush();
    } catch (e) {
      this.fail(e);
    }
  };

  private sourceStep(): boolean {
    const head = this.chain.head;
    const source = head.operator as SourceOperator<unknown>;
    let status;
    try {
      status = source.emitNext(this.sourceBurst);
    } catch (e) {
      throw operatorFailure(e, head.node, this.descriptor.subtaskIndex);
    }
    if (status === 'more-available') return true;
    if (status === 'end-of-input') this.endOfInput();
    else {
      source.available().then(
        () => this.wake(),
        (e: unknown) => this.fail(operatorFailure(e, head.node, this.descriptor.subtaskIndex)),
      );
    }
    return false;
  }

  private inputStep(): boolean {
    for (let n = 0; n < this.batchesPerCycle; n++) {
      if (n > 0 && !this.outputs.isAvailable()) {
        this.waitForOutput();
        return false;
      }
      const element = this.gate.pollNext();
      if (element === null) return false;
      if ((element as ControlEvent).kind === undefined) this.input.processBatch(element as RecordBatch, this.gate.lastChannel);
      else this.processEvent(element as ControlEvent, this.gate.lastChannel);
      if (this.state !== 'running') return false;
    }
    return true;
  }

  private processEvent(event: ControlEvent, channel: number): void {
    switch (event.kind) {
      case 'watermark':
        this.input.processWatermark(channel, event.timestamp);
        return;
      case 'idle':
        this.input.processIdle(channel, event.idle);
        return;
      case 'barrier':
        this.barriers.onBarrier(channel, event.checkpointId, event.timestamp, event.savepoint);
        return;
      case 'end-of-partition':
        this.barriers.onEndOfPartition(channel);
        if (this.input.endChannel(channel)) this.endOfInput();
        return;
    }
  }

  /** False when the checkpoint was not taken (already taken, or the task is past taking any). */
  private performCheckpoint(checkpointId: number, timestamp: number, savepoint: boolean, alignmentDurationMs = 0): boolean {
    if (!ALIVE.has(this.state) || this.exiting || checkpointId <= this.lastCheckpointId) return false;
    this.lastCheckpointId = checkpointId;
    const snapshots: OperatorSnapshot[] = [];
    this.chain.forEach((c) => snapshots.push(c.operator.snapshotState(checkpointId)), this.descriptor.subtaskIndex);
    // An ended task's partitions ended: its consumers count them as aligned, so no barrier follows.
    if (this.state !== 'ended') for (const w of this.writers) w.broadcastEvent({ kind: 'barrier', checkpointId, timestamp, savepoint });
    this.options.onCheckpoint?.({ vertexId: this.vertex.id, subtaskIndex: this.descriptor.subtaskIndex, checkpointId, snapshots, alignmentDurationMs });
    return true;
  }

  /**
   * All input consumed: processing-time timers stop (as Flink quiesces them), the chain finishes
   * head first — an operator's returned promise is awaited before the next one finishes, while the
   * mailbox goes on — then consumers learn that this partition ended.
   */
  private endOfInput(): void {
    this.state = 'finishing';
    this.time.close();
    this.finishFrom(0);
  }

  private finishFrom(index: number): void {
    const operators = this.chain.operators;
    for (let i = index; i < operators.length; i++) {
      const c = operators[i]!;
      let result: void | Promise<void>;
      try {
        result = c.operator.finish();
      } catch (e) {
        throw operatorFailure(e, c.node, this.descriptor.subtaskIndex);
      }
      if (result) {
        // The rest of the chain finishes in the mailbox, in order with checkpoints and notices.
        result.then(
          () => this.enqueue(() => this.finishFrom(i + 1)),
          (e: unknown) => this.fail(operatorFailure(e, c.node, this.descriptor.subtaskIndex)),
        );
        return;
      }
    }
    for (const w of this.writers) w.broadcastEvent({ kind: 'end-of-partition' });
    if (!this.options.checkpointing) {
      this.exit();
      return;
    }
    this.state = 'ended';
    this.options.onEnded?.();
  }

  /** After the final checkpoint's notice: operators' commits settle, then the task is FINISHED. */
  private exitAfterNotifications(): void {
    if (this.exiting) return;
    this.exiting = true;
    this.notifications.then(
      () => {
        if (ALIVE.has(this.state)) this.exit();
      },
      () => undefined, // fail() already ended the task
    );
  }

  private exit(): void {
    this.state = 'finished';
    this.release();
    this.settle?.resolve();
  }

  private waitForOutput(): void {
    this.outputs.whenAvailable(
      () => this.wake(),
      (e) => this.fail(e),
    );
  }

  private flush(): void {
    this.lastFlush = Date.now();
    for (const w of this.writers) w.flush();
  }

  private fail(error: unknown): void {
    if (!ALIVE.has(this.state)) return;
    this.state = 'failed';
    this.release();
    this.settle?.reject(error);
  }

  /** Closes operators, timers and channels; errors while closing cannot hide the outcome. */
  private release(): void {
    this.time.close();
    this.mailbox.length = 0;
    for (const c of this.chain?.operators ?? []) {
      try {
        c.operator.close();
      } catch {
        // The task's outcome is already decided; a failing close must not mask it.
      }
    }
    for (const w of this.writers) w.close();
    this.gate?.close();
  }
}
