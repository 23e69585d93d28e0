import { describe, expect, it } from '@jest/globals';
import { restartStrategyInfo } from '../../../../runtime/cluster/restart-strategy.ts';
import { resolveConfig } from '../../../../runtime/config/index.ts';
import type { RestartStrategySpec } from '../../../../operator/api/stream-job-spec.ts';
import { runtimeConfig } from '../../../../operator/resources/runtime-config.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

/** What the JobManager reports (GET /jobs/:id/config) when it loads the configuration the operator renders for `strategy`. */
function reported(strategy: RestartStrategySpec) {
  const job = exampleStreamJob();
  job.spec.restartStrategy = strategy;
  const rendered = runtimeConfig(job, { number: 1 }) as { restartStrategy: Record<string, unknown> };
  return { rendered: rendered.restartStrategy, reported: restartStrategyInfo(resolveConfig({ restartStrategy: rendered.restartStrategy } as never).restartStrategy) };
}

describe('a StreamJob restart strategy in the runtime configuration', () => {
  it('reaches the JobManager under the same keys with the same values', () => {
    expect(reported({ type: 'fixed-delay', attempts: 7, delay: '250ms' })).toEqual({
      rendered: { type: 'fixed-delay', attempts: 7, delay: '250ms' },
      reported: { type: 'fixed-delay', attempts: 7, delay: '250ms' },
    });
    const exponential = { type: 'exponential-delay', attempts: 5, initialDelay: '2s', maxDelay: '30s', backoffMultiplier: 1.5, resetBackoffThreshold: '10m' } as const;
    expect(reported(exponential)).toEqual({ rendered: exponential, reported: exponential });
    const rate = { type: 'failure-rate', maxFailuresPerInterval: 4, failureInterval: '5m', delay: '3s' } as const;
    expect(reported(rate)).toEqual({ rendered: rate, reported: rate });
    expect(reported({ type: 'none' })).toEqual({ rendered: { type: 'none' }, reported: { type: 'none' } });
  });

  it('leaves absent keys to the defaults the CRD documents: unlimited attempts, one failure per minute', () => {
    expect(reported({ type: 'fixed-delay' }).reported).toEqual({ type: 'fixed-delay', delay: '1s' });
    expect(reported({ type: 'exponential-delay' }).reported).toEqual({
      type: 'exponential-delay', initialDelay: '1s', maxDelay: '1m', backoffMultiplier: 2, resetBackoffThreshold: '1h',
    });
    expect(reported({ type: 'failure-rate' }).reported).toEqual({ type: 'failure-rate', maxFailuresPerInterval: 1, failureInterval: '1m', delay: '1s' });
  });

  it('leaves out the keys of other strategy types, which the runtime would refuse', () => {
    expect(reported({ type: 'fixed-delay', attempts: 2, initialDelay: '5s', maxFailuresPerInterval: 3 }).rendered).toEqual({ type: 'fixed-delay', attempts: 2 });
  });
});

describe('where a run starts from, in the runtime configuration', () => {
  it('names the restore path and the previous run whose newest verified state comes first', () => {
    const job = runtimeConfig(exampleStreamJob(), { number: 3, restorePath: 's3://checkpoints/sp-1', restoreFromRun: 'uid-2' }) as { job: Record<string, unknown> };
    expect([job.job['restoreFrom'], job.job['restoreFromRun']]).toEqual(['s3://checkpoints/sp-1', 'uid-2']);
    expect(runtimeConfig(exampleStreamJob(), { number: 1 })).not.toHaveProperty('job.restoreFromRun');
  });
});
