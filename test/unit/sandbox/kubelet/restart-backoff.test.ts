import { describe, it, expect } from '@jest/globals';
import { backoffPolicy, nextBackoff, remainingBackoff, type BackoffEntry } from '../../../../sandbox/kubelet/restart-backoff.ts';

/** Delays the kubelet waits before each restart of a container that exits right after starting. */
function delays(count: number, scale: number): number[] {
  const policy = backoffPolicy(scale);
  let entry: BackoffEntry | undefined;
  let now = 1_000_000;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const delay = remainingBackoff(entry, now, now, policy);
    out.push(delay);
    now += delay;
    entry = nextBackoff(entry, now, policy);
  }
  return out;
}

describe('restart back-off', () => {
  it('restarts at once first, then waits 10s doubling up to 5 minutes', () => {
    expect(delays(9, 1)).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('scales every duration for tests', () => {
    expect(delays(5, 0.01)).toEqual([0, 100, 200, 400, 800]);
  });

  it('starts over after a container ran longer than twice the cap (10 minutes)', () => {
    const policy = backoffPolicy(1);
    const entry = { delayMs: 160_000, lastUpdate: 0 };
    expect(remainingBackoff(entry, 600_001, 600_001, policy)).toBe(0);
    expect(nextBackoff(entry, 600_001, policy)).toEqual({ delayMs: 10_000, lastUpdate: 600_001 });
    expect(remainingBackoff(entry, 599_000, 599_000, policy)).toBe(160_000);
  });

  it('counts the wait from when the container finished', () => {
    const policy = backoffPolicy(1);
    expect(remainingBackoff({ delayMs: 20_000, lastUpdate: 0 }, 1_000, 6_000, policy)).toBe(15_000);
  });
});
