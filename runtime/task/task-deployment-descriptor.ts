import type { JobGraph } from '../graph/job-graph.ts';
import { keyGroupRangeFor, type KeyGroupRange } from '../core/key-group.ts';

/**
 * Everything needed to deploy one subtask, as plain JSON: a TaskManager that loaded the same
 * job module (and so built the same JobGraph) can run the subtask from this alone. Channel ids
 * are numbers unique within the job; `location` is filled in by a scheduler for remote channels.
 */
export interface TaskDeploymentDescriptor {
  readonly jobId: string;
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** Input channels in gate order: by incoming edge, then producer subtask (so the first input's channels come first). */
  readonly inputs: readonly InputChannelDescriptor[];
  /** One entry per outgoing edge; `channels[i]` leads to consumer subtask `targetSubtasks[i]`. */
  readonly outputs: readonly OutputDescriptor[];
}

export interface InputChannelDescriptor {
  readonly channelId: number;
  readonly edgeId: string;
  readonly sourceSubtask: number;
  /** Which logical input of the task the channel feeds: 0, or 1 for the second input of a two-input operator. */
  readonly inputIndex: 0 | 1;
}

export interface OutputDescriptor {
  readonly edgeId: string;
  readonly channels: readonly ChannelTarget[];
}

export interface ChannelTarget {
  readonly channelId: number;
  readonly targetSubtask: number;
  /** Address of the consumer's TaskManager; absent when the channel is local. */
  readonly location?: string;
}

/**
 * Deployment descriptors for every subtask of a JobGraph. Pure and deterministic: channel ids
 * follow from the graph, so every process derives the same numbering.
 */
export function createDeploymentDescriptors(graph: JobGraph, jobId: string, attemptNumber = 0): TaskDeploymentDescriptor[] {
  let nextChannel = 0;
  /** channels[edgeId][producer] = targets. */
  const outputsOf = new Map<string, ChannelTarget[][]>();
  const inputsOf = new Map<string, InputChannelDescriptor[][]>();
  for (const v of graph.vertices) inputsOf.set(v.id, Array.from({ length: v.parallelism }, () => []));
  for (const e of graph.edges) {
    const perProducer: ChannelTarget[][] = [];
    for (let s = 0; s < e.source.parallelism; s++) {
      const targets =
        e.partitioner.kind === 'forward' ? [s] : Array.from({ length: e.target.parallelism }, (_, t) => t);
      perProducer.push(
        targets.map((t) => {
          const channelId = nextChannel++;
          inputsOf.get(e.target.id)![t]!.push({ channelId, edgeId: e.id, sourceSubtask: s, inputIndex: e.inputIndex });
          return { channelId, targetSubtask: t };
        }),
      );
    }
    outputsOf.set(e.id, perProducer);
  }
  const order = new Map(graph.edges.map((e, i) => [e.id, i]));
  return graph.vertices.flatMap((v) =>
    Array.from({ length: v.parallelism }, (_, i) => ({
      jobId,
      vertexId: v.id,
      subtaskIndex: i,
      attemptNumber,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      keyGroupRange: keyGroupRangeFor(v.maxParallelism, v.parallelism, i),
      inputs: [...inputsOf.get(v.id)![i]!].sort(
        (a, b) => a.inputIndex - b.inputIndex || order.get(a.edgeId)! - order.get(b.edgeId)! || a.sourceSubtask - b.sourceSubtask,
      ),
      outputs: v.outputs.map((e) => ({ edgeId: e.id, channels: outputsOf.get(e.id)![i]! })),
    })),
  );
}
