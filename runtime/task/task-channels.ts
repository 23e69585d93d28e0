import type { CheckpointingMode } from '../core/checkpointing-mode.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import { InputGate } from '../network/input-gate.ts';
import { createChannelSelector } from '../network/partitioner.ts';
import { RecordWriter } from '../network/record-writer.ts';
import { BlockableInputChannel } from './blockable-input-channel.ts';
import type { ChannelProvider } from './channel-provider.ts';
import type { TaskDeploymentDescriptor } from './task-deployment-descriptor.ts';

/** A subtask's record writers, by output edge id: one channel per consumer subtask, chosen by the edge's partitioner. */
export function createRecordWriters(graph: JobGraph, d: TaskDeploymentDescriptor, provider: ChannelProvider): Map<string, RecordWriter> {
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  const writers = new Map<string, RecordWriter>();
  for (const o of d.outputs) {
    const edge = edges.get(o.edgeId)!;
    const channels = o.channels.map((t) => provider.createChannelWriter(t, edge));
    const selector = createChannelSelector(edge.partitioner, channels.length, d.subtaskIndex, edge.target.maxParallelism);
    writers.set(o.edgeId, new RecordWriter(channels, selector));
  }
  return writers;
}

/**
 * A subtask's input gate over all its input channels. With exactly-once and more than one channel
 * the channels are blockable, for barrier alignment (`blockable`); otherwise they are used as they are.
 */
export function createInputGate(
  graph: JobGraph,
  d: TaskDeploymentDescriptor,
  provider: ChannelProvider,
  mode: CheckpointingMode,
): { gate: InputGate; blockable: BlockableInputChannel[] | undefined } {
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  const inputs = d.inputs.map((i) => provider.createInputChannel(i, edges.get(i.edgeId)!));
  const blockable = mode === 'exactly-once' && inputs.length > 1 ? inputs.map((c) => new BlockableInputChannel(c)) : undefined;
  return { gate: new InputGate(blockable ?? inputs), blockable };
}
