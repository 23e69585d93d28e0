import type { JobGraph } from '../graph/job-graph.ts';
import { SourceOperator } from '../operators/source-operator.ts';
import type { CoordinatorEvent, ReaderEvent } from '../operators/source-operator-event.ts';
import { SourceCoordinator } from './source-coordinator.ts';

/**
 * The source coordinators of one job attempt, one per source vertex, found through the vertex's
 * operator factory (the SourceOperator carries its Source, as Flink's source operator factory
 * provides the coordinator). Routes reader events in, and checkpoints and completions out to all.
 */
export class SourceCoordinators {
  private readonly byVertex = new Map<string, SourceCoordinator>();

  constructor(
    graph: JobGraph,
    /** Delivers an event to a subtask of a source vertex, in order. */
    send: (vertexId: string, subtask: number, event: CoordinatorEvent) => void,
    fail: (error: Error) => void,
  ) {
    for (const v of graph.vertices) {
      if (!v.isSource) continue;
      const operator = v.head.createOperator();
      if (!(operator instanceof SourceOperator)) throw new Error(`source vertex "${v.name}" is not headed by a SourceOperator`);
      this.byVertex.set(
        v.id,
        new SourceCoordinator({ source: operator.source, name: v.head.name, parallelism: v.parallelism, send: (subtask, event) => send(v.id, subtask, event), fail }),
      );
    }
  }

  handleReaderEvent(vertexId: string, subtask: number, event: ReaderEvent): void {
    const coordinator = this.byVertex.get(vertexId);
    if (coordinator === undefined) throw new Error(`reader event from vertex ${vertexId}, which is not a source`);
    coordinator.handleReaderEvent(subtask, event);
  }

  /** Before checkpoint `checkpointId` is triggered at any subtask. */
  checkpoint(checkpointId: number): void {
    for (const c of this.byVertex.values()) c.checkpoint(checkpointId);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const c of this.byVertex.values()) c.notifyCheckpointComplete(checkpointId);
  }

  close(): void {
    for (const c of this.byVertex.values()) c.close();
  }
}
