import type { JobEdge, JobGraph, JobVertex } from '../graph/job-graph.ts';
import type { ChannelWriter, InputChannel } from '../network/channel.ts';
import { InputGate } from '../network/input-gate.ts';
import { createChannelSelector } from '../network/partitioner.ts';
import { RecordWriter } from '../network/record-writer.ts';
import type { ControlEvent, RecordBatch } from '../network/stream-element.ts';
import type { SourceOperator } from '../operators/source-operator.ts';
import { EMPTY_RESTORE, type OperatorSnapshot, type OperatorStateRestore } from '../state/state-snapshot.ts';
import { BlockableInputChannel } from './blockable-input-channel.ts';
import { CheckpointBarrierAligner } from './checkpoint-barrier-aligner.ts';
import { CheckpointBarrierTracker, type CheckpointBarrierHandler } from './checkpoint-barrier-tracker.ts';
import { OperatorChain, operatorFailure } from './operator-chain.ts';
import { MailboxProcessingTimeService } from './processing-time-service.ts';
import { StatusWatermarkValve } from './status-watermark-valve.ts';
import type { ChannelTarget, InputChannelDescriptor, TaskDeploymentDescriptor } from './task-deployment-descriptor.ts';

/** Creates the ends of a task's channels: local hand-over in one process, TCP between processes. */
export interface ChannelProvider {
  createInputChannel(descriptor: InputChannelDescriptor, edge: JobEdge): InputChannel;
  createChannelWriter(target: ChannelTarget, edge: JobEdge): ChannelWriter;
}

/** A subtask's state at a checkpoint: one snapshot per operator of its chain. */
export interface TaskCheckpointAck {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly checkpointId: number;
  readonly snapshots: readonly OperatorSnapshot[];
  /** Time the task's inputs were held back for barrier alignment (0 without alignment). */
  readonly alignmentDurationMs: number;
}

export interface StreamTaskOptions {
  readonly channels: ChannelProvider;
  /** State to start from, per operator id (already assigned to this subtask). */
  readonly restore?: (operatorId: string) => OperatorStateRestore | undefined;
  readonly onCheckpoint?: (ack: TaskCheckpointAck) => void;
  /** The job takes checkpoints (default false); see OperatorContext.checkpointing. */
  readonly checkpointing?: boolean;
  /** `exactly-once` (default) aligns barriers of several input channels; `at-least-once` does not. */
  readonly checkpointingMode?: 'exactly-once' | 'at-least-once';
  /** Records a source emits before yielding to the event loop. */
  readonly sourceBurst?: number;
  /** Input batches processed before yielding to the event loop. */
  readonly batchesPerCycle?: number;
  /** Longest time (ms) a record may wait in a partly filled output batch while the task stays busy. */
  readonly bufferTimeout?: number;
}

export interface OperatorMetrics {
  readonly operatorId: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly subtaskIndex: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

export class TaskCancelledError extends Error {
  constructor(task: string) {
    super(`task ${task} was cancelled`);
    this.name = 'TaskCancelledError';
  }
}

type TaskState = 'created' | 'running' | 'finished' | 'failed' | 'cancelled';

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
  private gate!: InputGate;
  private valve!: StatusWatermarkValve;
  private barriers!: CheckpointBarrierHandler;
  private readonly time: MailboxProcessingTimeService;
  private readonly mailbox: Array<() => void> = [];
  private scheduled = false;
  private waitingForOutput = false;
  private endedChannels = 0;
  private settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private readonly sourceBurst: number;
  private readonly batchesPerCycle: number;
  private readonly bufferTimeout: number;
  private lastFlush = 0;

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

  /** Sources: take checkpoint `checkpointId` now and send its barrier downstream. */
  triggerCheckpoint(checkpointId: number, timestamp: number, savepoint = false): void {
    this.enqueue(() => this.performCheckpoint(checkpointId, timestamp, savepoint));
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.enqueue(() => this.chain.forEach((c) => c.operator.notifyCheckpointComplete(checkpointId), this.descriptor.subtaskIndex));
  }

  cancel(): void {
    if (this.state !== 'running' && this.state !== 'created') return;
    this.state = 'cancelled';
    this.release();
    this.settle?.reject(new TaskCancelledError(this.name));
  }

  metrics(): OperatorMetrics[] {
    if (!this.chain) return [];
    return this.chain.operators.map((c) => ({
      operatorId: c.node.operatorId,
      name: c.node.name,
      uid: c.node.uid,
      subtaskIndex: this.descriptor.subtaskIndex,
      recordsIn: this.chain.recordsIn(c),
      recordsOut: c.output.recordsOut,
    }));
  }

  private deploy(): void {
    const d = this.descriptor;
    const edges = new Map(this.graph.edges.map((e) => [e.id, e]));
    const writersByEdge = new Map<string, RecordWriter>();
    for (const o of d.outputs) {
      const edge = edges.get(o.edgeId)!;
      const channels = o.channels.map((t) => this.options.channels.createChannelWriter(t, edge));
      const selector = createChannelSelector(edge.partitioner, channels.length, d.subtaskIndex, edge.target.maxParallelism);
      const writer = new RecordWriter(channels, selector);
      writersByEdge.set(o.edgeId, writer);
      this.writers.push(writer);
    }
    const inputs = d.inputs.map((i) => this.options.channels.createInputChannel(i, edges.get(i.edgeId)!));
    const aligned = (this.options.checkpointingMode ?? 'exactly-once') === 'exactly-once' && inputs.length > 1;
    const blockable = aligned ? inputs.map((c) => new BlockableInputChannel(c)) : undefined;
    this.gate = new InputGate(blockable ?? inputs);
    this.valve = new StatusWatermarkValve(
      this.gate.size,
      (ts) => this.callHead(() => this.chain.head.operator.processWatermark(ts)),
      (idle) => this.callHead(() => this.chain.head.operator.processIdle(idle)),
    );
    this.barriers = blockable
      ? new CheckpointBarrierAligner(blockable, (id, ts, sp, alignment) => this.performCheckpoint(id, ts, sp, alignment))
      : new CheckpointBarrierTracker(this.gate.size, (id, ts, sp) => this.performCheckpoint(id, ts, sp));
    this.chain = new OperatorChain(this.vertex, d, writersByEdge, this.time, this.options.checkpointing ?? false);
    const index = d.subtaskIndex;
    this.chain.forEach((c) => c.operator.initializeState(this.options.restore?.(c.node.operatorId) ?? EMPTY_RESTORE), index);
    this.chain.forEach((c) => c.operator.open(), index, true);
    this.gate.setAvailabilityListener(() => this.wake());
  }

  private enqueue(action: () => void): void {
    this.mailbox.push(action);
    this.wake();
  }

  private wake(): void {
    if (this.scheduled || this.state !== 'running') return;
    this.scheduled = true;
    setImmediate(this.cycle);
  }

  private readonly cycle = (): void => {
    this.scheduled = false;
    try {
      while (this.mailbox.length > 0 && this.state === 'running') this.mailbox.shift()!();
      if (this.state !== 'running') return;
      if (!this.writersAvailable()) {
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
      if (n > 0 && !this.writersAvailable()) {
        this.waitForOutput();
        return false;
      }
      const element = this.gate.pollNext();
      if (element === null) return false;
      if ((element as ControlEvent).kind === undefined) this.processBatch(element as RecordBatch);
      else this.processEvent(element as ControlEvent, this.gate.lastChannel);
      if (this.state !== 'running') return false;
    }
    return true;
  }

  private processBatch(batch: RecordBatch): void {
    const head = this.chain.head;
    const op = head.operator;
    const values = batch.values;
    const timestamps = batch.timestamps;
    const n = values.length;
    op.recordsIn += n;
    try {
      for (let i = 0; i < n; i++) op.processElement(values[i], timestamps[i]!);
    } catch (e) {
      throw operatorFailure(e, head.node, this.descriptor.subtaskIndex);
    }
  }

  private processEvent(event: ControlEvent, channel: number): void {
    switch (event.kind) {
      case 'watermark':
        this.valve.inputWatermark(channel, event.timestamp);
        return;
      case 'idle':
        this.valve.inputIdle(channel, event.idle);
        return;
      case 'barrier':
        this.barriers.onBarrier(channel, event.checkpointId, event.timestamp, event.savepoint);
        return;
      case 'end-of-partition':
        this.valve.inputEnded(channel);
        this.barriers.onEndOfPartition(channel);
        if (++this.endedChannels === this.gate.size) this.endOfInput();
        return;
    }
  }

  private callHead(action: () => void): void {
    try {
      action();
    } catch (e) {
      throw operatorFailure(e, this.chain.head.node, this.descriptor.subtaskIndex);
    }
  }

  private performCheckpoint(checkpointId: number, timestamp: number, savepoint: boolean, alignmentDurationMs = 0): void {
    if (this.state !== 'running') return;
    const snapshots: OperatorSnapshot[] = [];
    this.chain.forEach((c) => snapshots.push(c.operator.snapshotState(checkpointId)), this.descriptor.subtaskIndex);
    for (const w of this.writers) w.broadcastEvent({ kind: 'barrier', checkpointId, timestamp, savepoint });
    this.options.onCheckpoint?.({ vertexId: this.vertex.id, subtaskIndex: this.descriptor.subtaskIndex, checkpointId, snapshots, alignmentDurationMs });
  }

  /** All input consumed: finish the chain head first, then tell consumers this partition ended. */
  private endOfInput(): void {
    this.chain.forEach((c) => c.operator.finish(), this.descriptor.subtaskIndex);
    for (const w of this.writers) w.broadcastEvent({ kind: 'end-of-partition' });
    this.state = 'finished';
    this.release();
    this.settle?.resolve();
  }

  private writersAvailable(): boolean {
    for (const w of this.writers) if (!w.isAvailable()) return false;
    return true;
  }

  private waitForOutput(): void {
    if (this.waitingForOutput) return;
    this.waitingForOutput = true;
    Promise.all(this.writers.map((w) => w.availability())).then(
      () => {
        this.waitingForOutput = false;
        this.wake();
      },
      (e: unknown) => this.fail(e),
    );
  }

  private flush(): void {
    this.lastFlush = Date.now();
    for (const w of this.writers) w.flush();
  }

  private fail(error: unknown): void {
    if (this.state !== 'running') return;
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
