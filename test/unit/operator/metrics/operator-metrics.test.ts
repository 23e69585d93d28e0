import { describe, expect, it } from '@jest/globals';
import { MeteredReconcile, OperatorMetrics } from '../../../../operator/metrics/operator-metrics.ts';

describe('operator metrics', () => {
  it('count and time every reconcile of the one they wrap, and pass on its result or error', async () => {
    const metrics = new OperatorMetrics();
    const metered = new MeteredReconcile({ reconcile: async (key) => (key === 'ns/bad' ? Promise.reject(new Error('conflict')) : { requeueAfterMs: 5 }) }, metrics);
    expect(await metered.reconcile('ns/good')).toEqual({ requeueAfterMs: 5 });
    await expect(metered.reconcile('ns/bad')).rejects.toThrow('conflict');
    const text = await metrics.registry.metrics();
    expect(text).toContain('sluice_operator_reconcile_total{result="success"} 1');
    expect(text).toContain('sluice_operator_reconcile_total{result="error"} 1');
    expect(text).toContain('sluice_operator_reconcile_errors_total 1');
    expect(text).toContain('sluice_operator_reconcile_duration_seconds_count 2');
  });

  it('show the depth of the queue they observe and the jobs per phase', async () => {
    const metrics = new OperatorMetrics();
    metrics.observeQueue({ depth: () => 3 });
    metrics.setPhase('ns/a', 'Running');
    metrics.setPhase('ns/b', 'Running');
    metrics.setPhase('ns/b', undefined);
    const text = await metrics.registry.metrics();
    expect(text).toContain('sluice_operator_workqueue_depth 3');
    expect(text).toContain('sluice_operator_streamjobs{phase="Running"} 1');
  });
});
