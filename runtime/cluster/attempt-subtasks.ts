import type { SubtaskReport } from '../rpc/rpc-messages.ts';
import type { SubtaskMetrics } from '../rest/rest-types.ts';
import type { SubtaskDeployment } from './deployment-plan.ts';
import { subtaskKey } from './slot-assignment.ts';

export interface SubtaskStatus {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly taskManagerId: string;
  status: SubtaskMetrics['status'];
  report: SubtaskReport | null;
}

/** The subtasks of one attempt as the JobMaster knows them: where each runs, its state, its last report. */
export class AttemptSubtasks {
  private readonly byKey: Map<string, SubtaskStatus>;

  constructor(plan: readonly SubtaskDeployment[] = []) {
    this.byKey = new Map(
      plan.map((p) => [
        subtaskKey(p.descriptor.vertexId, p.descriptor.subtaskIndex),
        { vertexId: p.descriptor.vertexId, subtaskIndex: p.descriptor.subtaskIndex, taskManagerId: p.taskManagerId, status: 'SCHEDULED', report: null },
      ]),
    );
  }

  get(vertexId: string, subtaskIndex: number): SubtaskStatus | undefined {
    return this.byKey.get(subtaskKey(vertexId, subtaskIndex));
  }

  values(): SubtaskStatus[] {
    return [...this.byKey.values()];
  }

  every(status: SubtaskStatus['status']): boolean {
    for (const s of this.byKey.values()) if (s.status !== status) return false;
    return true;
  }

  /** Running, or ended and waiting for the final checkpoint: a checkpoint needs every subtask so. */
  allAlive(): boolean {
    for (const s of this.byKey.values()) if (s.status !== 'RUNNING' && s.status !== 'ENDED') return false;
    return true;
  }

  applyReport(r: SubtaskReport): void {
    const subtask = this.get(r.vertexId, r.subtaskIndex);
    if (subtask !== undefined) subtask.report = r;
  }

  /** Whether a subtask ran on `taskManagerId` (with `live`: one deploying, running or ended there). */
  ranOn(taskManagerId: string, live = false): boolean {
    for (const s of this.byKey.values()) {
      if (s.taskManagerId === taskManagerId && (!live || s.status === 'DEPLOYING' || s.status === 'RUNNING' || s.status === 'ENDED')) return true;
    }
    return false;
  }

  /** Every subtask not finished or failed is canceled. */
  cancelAll(): void {
    for (const s of this.byKey.values()) if (s.status !== 'FINISHED' && s.status !== 'FAILED') s.status = 'CANCELED';
  }
}
