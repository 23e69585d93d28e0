import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Failover } from '../../../../runtime/cluster/failover.ts';
import { resolveConfig } from '../../../../runtime/config/load-config.ts';

const failover = (restartStrategy: Record<string, unknown>) => new Failover(resolveConfig({ restartStrategy }).restartStrategy);

describe('Failover', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('restarts while the strategy allows, recording each failure; then fails with the reason appended', () => {
    const f = failover({ type: 'fixed-delay', attempts: 1, delay: '2s' });
    expect(f.decide(new Error('boom'), 'Map (1/2)', 'tm-1')).toEqual({ restart: true, delay: 2000 });
    expect(f.restarts).toBe(1);
    const second = f.decide(new TypeError('again'), null, null);
    expect(second.restart).toBe(false);
    if (!second.restart) expect([second.error.name, second.error.message]).toEqual(['TypeError', 'again (restart strategy "fixed-delay" exhausted its 1 attempts)']);
    // The failure that fails the job is recorded by whoever fails it.
    expect(f.history().history.map((e) => [e.message, e.taskName, e.taskManagerId])).toEqual([['boom', 'Map (1/2)', 'tm-1']]);
  });

  it('keeps the newest 16 exceptions, newest first', () => {
    const f = failover({ type: 'none' });
    for (let i = 0; i < 20; i++) f.record(new Error(`e${i}`), null, null);
    const { rootException, history } = f.history();
    expect([rootException?.message, history.length, history.at(-1)?.message]).toEqual(['e19', 16, 'e4']);
  });

  it('runs a pending restart after its delay unless cancelled', () => {
    jest.useFakeTimers();
    const f = failover({ type: 'none' });
    const restarted: string[] = [];
    f.restartAfter(100, () => restarted.push('first'));
    expect(f.restartPending).toBe(true);
    jest.advanceTimersByTime(100);
    f.restartAfter(100, () => restarted.push('second'));
    f.cancelRestart();
    jest.advanceTimersByTime(200);
    expect([restarted, f.restartPending]).toEqual([['first'], false]);
  });
});
