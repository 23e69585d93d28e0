import type { CheckpointingMode } from '../core/checkpointing-mode.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { ChannelWriter } from '../network/channel.ts';
import type { DataPlane } from '../network/data-plane.ts';
import type { LocalChannel } from '../network/local-channel.ts';
import type { RemoteChannelWriter } from '../network/remote-channel-writer.ts';
import type { RemoteInputChannel } from '../network/remote-input-channel.ts';
import type { ReaderEventGateway } from '../operators/source-operator-event.ts';
import type { SubtaskReport } from '../rpc/rpc-messages.ts';
import type { OperatorStateRestore } from '../state/state-snapshot.ts';
import { StreamTask } from '../task/stream-task.ts';
import type { TaskCheckpointAck } from '../task/task-checkpoint.ts';
import type { TaskDeploymentDescriptor } from '../task/task-deployment-descriptor.ts';

export interface DeployedTaskContext {
  readonly graph: JobGraph;
  readonly plane: DataPlane;
  /** The attempt's local channels, shared by both ends inside this process. */
  readonly localChannel: (channelId: number) => LocalChannel;
  readonly restore: ((operatorId: string) => OperatorStateRestore | undefined) | undefined;
  readonly onCheckpoint: (ack: TaskCheckpointAck) => void;
  /** A source subtask's events for its coordinator in the JobManager. */
  readonly readerEvents: ReaderEventGateway;
  readonly checkpointingMode: CheckpointingMode;
  /** The job takes checkpoints: at end of input the subtask ends and waits for the final checkpoint. */
  readonly checkpointing: boolean;
  readonly onEnded: () => void;
}

/**
 * One subtask running in a TaskManager: its StreamTask, with channels from the data plane (remote)
 * or shared local channels, and the counters a TaskManager reports for it. Backpressure is sampled,
 * as Flink does: the share of samples in which some output channel had no room.
 */
export class DeployedTask {
  readonly task: StreamTask;
  private readonly writers: ChannelWriter[] = [];
  private readonly remoteWriters: RemoteChannelWriter[] = [];
  private readonly remoteInputs: RemoteInputChannel[] = [];
  private samples = 0;
  private backpressured = 0;

  /** Throws when the descriptor does not fit the job graph (unknown vertex). */
  constructor(
    readonly descriptor: TaskDeploymentDescriptor,
    producers: Readonly<Record<string, string>>,
    context: DeployedTaskContext,
  ) {
    this.task = new StreamTask(context.graph, descriptor, {
      restore: context.restore,
      onCheckpoint: context.onCheckpoint,
      readerEvents: context.readerEvents,
      checkpointingMode: context.checkpointingMode,
      checkpointing: context.checkpointing,
      onEnded: context.onEnded,
      channels: {
        createInputChannel: (d, edge) => {
          const producer = producers[String(d.channelId)];
          if (producer === undefined) return context.localChannel(d.channelId);
          const input = context.plane.registerInput(d.channelId, edge.serializer, producer);
          this.remoteInputs.push(input);
          return input;
        },
        createChannelWriter: (t, edge) => {
          if (t.location === undefined) {
            const local = context.localChannel(t.channelId);
            this.writers.push(local);
            return local;
          }
          const writer = context.plane.createWriter(t.location, t.channelId, edge.serializer);
          this.writers.push(writer);
          this.remoteWriters.push(writer);
          return writer;
        },
      },
    });
  }

  get name(): string {
    return this.task.name;
  }

  sampleBackpressure(): void {
    this.samples++;
    for (const w of this.writers) {
      if (!w.isAvailable()) {
        this.backpressured++;
        return;
      }
    }
  }

  /** Counters now; the backpressure ratio covers the samples since the previous report. */
  report(): SubtaskReport {
    let bytesIn = 0;
    let bytesOut = 0;
    let queuedBytes = 0;
    for (const i of this.remoteInputs) bytesIn += i.receivedBytes;
    for (const w of this.remoteWriters) {
      // Bytes out are what the subtask encoded for its channels: sent, or queued and sure to follow.
      bytesOut += w.sentBytes + w.queuedBytes;
      queuedBytes += w.queuedBytes;
    }
    const backpressureRatio = this.samples === 0 ? 0 : this.backpressured / this.samples;
    this.samples = 0;
    this.backpressured = 0;
    return {
      vertexId: this.descriptor.vertexId,
      subtaskIndex: this.descriptor.subtaskIndex,
      operators: this.task.metrics().map(({ operatorId, recordsIn, recordsOut }) => ({ operatorId, recordsIn, recordsOut })),
      bytesIn,
      bytesOut,
      queuedBytes,
      backpressureRatio,
    };
  }
}
