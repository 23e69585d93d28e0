import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PHASES } from '../api/stream-job-status.ts';
import type { Reconcile, ReconcileResult } from '../controller/reconcile.ts';
import type { PhaseRecorder } from '../reconciler/reconciler.ts';

/** What the queue-depth gauge reads. */
export interface QueueDepth {
  depth(): number;
}

/**
 * The operator's Prometheus metrics: reconciles (count, errors, duration), work queue depth,
 * leadership, and StreamJobs per phase (a {@link PhaseRecorder} for the reconciler).
 */
export class OperatorMetrics implements PhaseRecorder {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'sluice_operator_reconcile_total', help: 'Reconciles of StreamJobs, by result.', labelNames: ['result'] as const, registers: [this.registry] });
  readonly reconcileErrors = new Counter({ name: 'sluice_operator_reconcile_errors_total', help: 'Reconciles that failed and were retried with backoff.', registers: [this.registry] });
  readonly reconcileDuration = new Histogram({
    name: 'sluice_operator_reconcile_duration_seconds',
    help: 'Time one reconcile took.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly leader = new Gauge({ name: 'sluice_operator_leader', help: '1 while this replica holds the leader Lease.', registers: [this.registry] });
  private readonly phases = new Map<string, string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'sluice_operator_' });
    const phases = this.phases;
    new Gauge({
      name: 'sluice_operator_streamjobs',
      help: 'StreamJobs by the phase the last reconcile gave them.',
      labelNames: ['phase'] as const,
      registers: [this.registry],
      collect() {
        const counts = new Map<string, number>(PHASES.map((p) => [p, 0]));
        for (const phase of phases.values()) counts.set(phase, (counts.get(phase) ?? 0) + 1);
        for (const [phase, count] of counts) this.set({ phase }, count);
      },
    });
  }

  /** Exposes the depth of `queue` (built after the metrics, since its handler is metered by them). */
  observeQueue(queue: QueueDepth): void {
    new Gauge({
      name: 'sluice_operator_workqueue_depth',
      help: 'StreamJob keys waiting in the work queue.',
      registers: [this.registry],
      collect() {
        this.set(queue.depth());
      },
    });
  }

  /** Records the phase a reconcile decided for `key`; undefined forgets a deleted StreamJob. */
  setPhase(key: string, phase: string | undefined): void {
    if (phase === undefined) this.phases.delete(key);
    else this.phases.set(key, phase);
  }
}

/** A {@link Reconcile} that counts and times every reconcile of the one it wraps into `metrics`. */
export class MeteredReconcile implements Reconcile {
  constructor(
    private readonly inner: Reconcile,
    private readonly metrics: OperatorMetrics,
  ) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const end = this.metrics.reconcileDuration.startTimer();
    try {
      const result = await this.inner.reconcile(key);
      this.metrics.reconciles.inc({ result: 'success' });
      return result;
    } catch (err) {
      this.metrics.reconciles.inc({ result: 'error' });
      this.metrics.reconcileErrors.inc();
      throw err;
    } finally {
      end();
    }
  }
}
