import { describe, expect, it } from '@jest/globals';
import { createRestartStrategy } from '../../../../runtime/cluster/restart-strategy.ts';
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

  it('exponential-delay doubles up to maxDelay and resets after a quiet period', () => {
    const s = strategy({ type: 'exponential-delay', initialDelay: '1s', maxDelay: '5s', multiplier: 2, resetAfter: '1m' });
    expect([0, 1, 2, 3, 4].map((t) => s.onFailure(t))).toEqual([1000, 2000, 4000, 5000, 5000].map((delay) => ({ restart: true, delay })));
    expect(s.onFailure(4 + 60_000)).toEqual({ restart: true, delay: 1000 });
  });

  it('failure-rate fails the job when more than maxFailures fall within the interval', () => {
    const s = strategy({ type: 'failure-rate', maxFailures: 2, interval: '10s', delay: '500ms' });
    expect(s.onFailure(0)).toEqual({ restart: true, delay: 500 });
    expect(s.onFailure(5_000)).toEqual({ restart: true, delay: 500 });
    // The first failure left the window: still two within 10 s.
    expect(s.onFailure(10_000)).toEqual({ restart: true, delay: 500 });
    expect(s.onFailure(11_000)).toEqual({ restart: false, reason: 'restart strategy "failure-rate": 3 failures within 10000 ms exceed maxFailures 2' });
  });
});
