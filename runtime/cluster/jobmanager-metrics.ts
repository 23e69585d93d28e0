import { Gauge, Registry } from 'prom-client';
import type { JobMaster } from './job-master.ts';
import type { JobState } from '../rest/rest-types.ts';

const STATES: readonly JobState[] = ['CREATED', 'RUNNING', 'RESTARTING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'SUSPENDED'];

/** The JobManager's Prometheus metrics, read from the JobMaster when scraped. */
export function createJobManagerMetrics(master: JobMaster): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ job_id: master.jobId });
  new Gauge({
    name: 'sluice_job_state',
    help: '1 for the state the job is in, 0 for the others',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      for (const s of STATES) this.set({ state: s }, master.state === s ? 1 : 0);
    },
  });
  const scalar = (name: string, help: string, read: () => number) =>
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
  scalar('sluice_job_restarts', 'Restarts since the JobManager started', () => master.details().restarts);
  scalar('sluice_job_attempt', 'Current deployment attempt', () => master.details().attempt);
  scalar('sluice_taskmanagers_registered', 'Registered TaskManagers', () => master.taskManagers.size);
  scalar('sluice_slots_total', 'Slots offered by registered TaskManagers', () => master.slotsTotal);
  new Gauge({
    name: 'sluice_taskmanager_send_buffered_bytes',
    help: "Bytes a TaskManager's data plane holds for sending, as last reported",
    labelNames: ['taskmanager'],
    registers: [registry],
    collect() {
      this.reset();
      for (const tm of master.taskManagers.values()) this.set({ taskmanager: tm.id }, tm.sendBufferedBytes);
    },
  });
  const perSubtask = (name: string, help: string, read: (r: ReturnType<JobMaster['subtaskReports']>[number]['report']) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['vertex', 'vertex_name', 'subtask'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { vertexName, report } of master.subtaskReports()) this.set({ vertex: report.vertexId, vertex_name: vertexName, subtask: report.subtaskIndex }, read(report));
      },
    });
  perSubtask('sluice_subtask_records_in', 'Records into the head of the subtask chain', (r) => r.operators[0]?.recordsIn ?? 0);
  perSubtask('sluice_subtask_records_out', 'Records out of the tail of the subtask chain', (r) => r.operators.at(-1)?.recordsOut ?? 0);
  perSubtask('sluice_subtask_bytes_in', 'Bytes received over the data plane', (r) => r.bytesIn);
  perSubtask('sluice_subtask_bytes_out', 'Bytes sent over the data plane', (r) => r.bytesOut);
  perSubtask('sluice_subtask_queued_bytes', 'Encoded bytes waiting for credit in the subtask outputs', (r) => r.queuedBytes);
  perSubtask('sluice_subtask_backpressure_ratio', 'Share of samples with an output channel out of credit', (r) => r.backpressureRatio);
  return registry;
}
