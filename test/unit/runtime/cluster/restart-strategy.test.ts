import { describe, expect, it } from '@jest/globals';
import { createRestartStrategy, restartStrategyInfo } from '../../../../runtime/cluster/restart-strategy.ts';
import { resolveConfig } from '../../../../runtime/config/load-config.ts';

const strategy = (restartStrategy: Record<string, unknown>) => createRestartStrategy(resolveConfig({ restartStrategy }).restartStrategy);

describe('restart strategies', () => {
  it('none never restarts', () => {
    expect(strategy({ type: 'none' }).onFailure(0)).toEqual({ restart: false, reason: 'restart strategy "none" does not restart' });
  });

  it('fixed-delay restarts `attempts` times with the delay, then fails', () => {
    const s = strategy({ type: 'fixed-delay', attempts: 2, delay: '3s' });
    expect([s.onFailure(0), s.onFailure(1), s.onFailure(2)]).toEqual([
      { restart: true, delay: 3000 },
      { restart: true, delay: 3000 },
      { restart: false, reason: 'restart strategy "fixed-delay" exhausted its 2 attempts' },
    ]);
  });

  it('fixed-delay without attempts restarts without limit', () => {
    const s = strategy({ type: 'fixed-delay' });
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((t) => s.onFailure(t))).toEqual(Array(10).fill({ restart: true, delay: 1000 }));
  });

  it('exponential-delay doubles up to maxDelay and resets after a quiet period', () => {
    const s = strategy({ type: 'exponential-delay', initialDelay: '1s', maxDelay: '5s', backoffMultiplier: 2, resetBackoffThreshold: '1m' });
    expect([0, 1, 2, 3, 4].map((t) => s.onFailure(t))).toEqual([1000, 2000, 4000, 5000, 5000].map((delay) => ({ restart: true, delay })));
    expect(s.onFailure(4 + 60_000)).toEqual({ restart: true, delay: 1000 });
  });

  it('exponential-delay keeps its attempts: the job fails after them, and a quiet period gives them back', () => {
    const s = strategy({ type: 'exponential-delay', attempts: 2, initialDelay: '1s', resetBackoffThreshold: '1m' });
    expect([0, 1, 2].map((t) => s.onFailure(t))).toEqual([
      { restart: true, delay: 1000 },
      { restart: true, delay: 2000 },
      { restart: false, reason: 'restart strategy "exponential-delay" exhausted its 2 attempts' },
    ]);
    const quiet = strategy({ type: 'exponential-delay', attempts: 1, resetBackoffThreshold: '1m' });
    expect([0, 60_000, 120_000].map((t) => quiet.onFailure(t))).toEqual(Array(3).fill({ restart: true, delay: 1000 }));
  });

  it('failure-rate fails the job when more than maxFailuresPerInterval fall within the failureInterval', () => {
    const s = strategy({ type: 'failure-rate', maxFailuresPerInterval: 2, failureInterval: '10s', delay: '500ms' });
    expect(s.onFailure(0)).toEqual({ restart: true, delay: 500 });
    expect(s.onFailure(5_000)).toEqual({ restart: true, delay: 500 });
    // The first failure left the window: still two within 10 s.
    expect(s.onFailure(10_000)).toEqual({ restart: true, delay: 500 });
    expect(s.onFailure(11_000)).toEqual({
      restart: false,
      reason: 'restart strategy "failure-rate": 3 failures within 10000 ms exceed maxFailuresPerInterval 2',
    });
  });

  it('failure-rate allows one restart per minute when nothing is set', () => {
    const twice = strategy({ type: 'failure-rate' });
    expect([0, 30_000].map((t) => twice.onFailure(t))).toEqual([
      { restart: true, delay: 1000 },
      { restart: false, reason: 'restart strategy "failure-rate": 2 failures within 60000 ms exceed maxFailuresPerInterval 1' },
    ]);
    const apart = strategy({ type: 'failure-rate' });
    expect([0, 61_000].map((t) => apart.onFailure(t))).toEqual(Array(2).fill({ restart: true, delay: 1000 }));
  });

  it('reports every key of its type, defaults applied, as GET /jobs/:id/config does', () => {
    const info = (restartStrategy: Record<string, unknown>) => restartStrategyInfo(resolveConfig({ restartStrategy }).restartStrategy);
    expect(info({ type: 'fixed-delay' })).toEqual({ type: 'fixed-delay', delay: '1s' });
    expect(info({ type: 'exponential-delay', attempts: 4, maxDelay: '90s' })).toEqual({
      type: 'exponential-delay', attempts: 4, initialDelay: '1s', maxDelay: '90s', backoffMultiplier: 2, resetBackoffThreshold: '1h',
    });
    expect(info({ type: 'failure-rate', delay: '500ms' })).toEqual({ type: 'failure-rate', maxFailuresPerInterval: 1, failureInterval: '1m', delay: '500ms' });
  });
});
