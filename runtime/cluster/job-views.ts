import type { OperatorResult } from '../api/job-execution-result.ts';
import type { JobGraph } from '../graph/job-graph.ts';
import type { SubtaskReport } from '../rpc/rpc-messages.ts';
import type { JobDetails, JobState, SubtaskMetrics } from '../rest/rest-types.ts';
import type { AttemptSubtasks } from './attempt-subtasks.ts';
import { operatorResults } from './operator-results.ts';
import { requiredSlots } from './slot-assignment.ts';

/** What the REST views of a job are computed from: the JobMaster's state at the moment of the request. */
export interface JobSnapshot {
  readonly jobId: string;
  readonly name: string;
  readonly parallelism: number;
  readonly graph: JobGraph | null;
  readonly state: JobState;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly restarts: number;
  readonly attempt: number;
  /** An attempt is being prepared (its slots are taken). */
  readonly scheduling: boolean;
  readonly taskManagers: number;
  readonly slotsTotal: number;
  readonly subtasks: AttemptSubtasks;
}

/** GET /jobs/:id: the job, its vertices and per-subtask metrics. */
export function jobDetails(job: JobSnapshot): JobDetails {
  const { graph, subtasks } = job;
  const free = job.state === 'RUNNING' || job.scheduling ? Math.max(0, job.slotsTotal - (graph ? requiredSlots(graph) : 0)) : job.slotsTotal;
  return {
    jid: job.jobId,
    name: job.name,
    state: job.state,
    startTime: job.startTime,
    endTime: job.endTime,
    restarts: job.restarts,
    attempt: job.attempt,
    parallelism: job.parallelism,
    taskManagers: { registered: job.taskManagers, slotsTotal: job.slotsTotal, slotsFree: free },
    vertices: (graph?.vertices ?? []).map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      operatorIds: v.operators.map((o) => o.operatorId),
      subtasks: Array.from({ length: v.parallelism }, (_, i): SubtaskMetrics => {
        const s = subtasks.get(v.id, i);
        const r = s?.report;
        const ops = r?.operators ?? [];
        return {
          subtask: i,
          taskManagerId: s?.taskManagerId ?? null,
          status: s?.status ?? 'SCHEDULED',
          recordsIn: ops[0]?.recordsIn ?? 0,
          recordsOut: ops.at(-1)?.recordsOut ?? 0,
          bytesIn: r?.bytesIn ?? 0,
          bytesOut: r?.bytesOut ?? 0,
          backpressureRatio: r?.backpressureRatio ?? 0,
        };
      }),
    })),
  };
}

/** Records in/out per operator over its subtasks, as `sluice run` prints them. */
export function jobOperatorResults(graph: JobGraph | null, subtasks: AttemptSubtasks): OperatorResult[] {
  return operatorResults(graph, subtasks.values().flatMap((st) => st.report?.operators ?? []));
}

/** Per-subtask reports of the current attempt, for /metrics. */
export function subtaskReports(graph: JobGraph | null, subtasks: AttemptSubtasks): { vertexName: string; report: SubtaskReport }[] {
  const names = new Map((graph?.vertices ?? []).map((v) => [v.id, v.name]));
  return subtasks.values().flatMap((s) => (s.report ? [{ vertexName: names.get(s.report.vertexId) ?? s.report.vertexId, report: s.report }] : []));
}

/** `Name (i/n)`, as logs and the exception history name a subtask. */
export function taskName(graph: JobGraph | null, vertexId: string, subtaskIndex: number): string {
  const v = graph?.vertices.find((x) => x.id === vertexId);
  return v ? `${v.name} (${subtaskIndex + 1}/${v.parallelism})` : `${vertexId} (${subtaskIndex + 1})`;
}
