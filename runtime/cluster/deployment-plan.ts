import type { JobGraph } from '../graph/job-graph.ts';
import { createDeploymentDescriptors, type TaskDeploymentDescriptor } from '../task/task-deployment-descriptor.ts';
import { subtaskKey, type SlotAssignment } from './slot-assignment.ts';

/** One subtask's deployment: its descriptor with remote outputs located, and its remote inputs' producers. */
export interface SubtaskDeployment {
  readonly taskManagerId: string;
  readonly descriptor: TaskDeploymentDescriptor;
  readonly producers: Record<string, string>;
}

/**
 * The deployment of every subtask of an attempt. Pure: a channel whose producer and consumer share
 * a TaskManager stays local (no `location`); otherwise its writer gets the consumer's data address
 * and its input the producer's.
 */
export function planDeployment(
  graph: JobGraph,
  jobId: string,
  attempt: number,
  assignment: SlotAssignment,
  dataAddressOf: (taskManagerId: string) => string,
): SubtaskDeployment[] {
  const descriptors = createDeploymentDescriptors(graph, jobId, attempt);
  const tmOf = (vertexId: string, subtask: number) => assignment.get(subtaskKey(vertexId, subtask))!;
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  return descriptors.map((d) => {
    const here = tmOf(d.vertexId, d.subtaskIndex);
    const producers: Record<string, string> = {};
    for (const input of d.inputs) {
      const there = tmOf(edges.get(input.edgeId)!.source.id, input.sourceSubtask);
      if (there !== here) producers[String(input.channelId)] = dataAddressOf(there);
    }
    const outputs = d.outputs.map((o) => {
      const target = edges.get(o.edgeId)!.target.id;
      return {
        edgeId: o.edgeId,
        channels: o.channels.map((c) => {
          const there = tmOf(target, c.targetSubtask);
          return there === here ? c : { ...c, location: dataAddressOf(there) };
        }),
      };
    });
    return { taskManagerId: here, descriptor: { ...d, outputs }, producers };
  });
}
