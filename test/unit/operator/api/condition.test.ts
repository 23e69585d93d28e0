import { describe, it, expect } from '@jest/globals';
import { findCondition, setCondition } from '../../../../operator/api/condition.ts';
import type { Condition } from '../../../../operator/api/condition.ts';

const t0 = new Date('2026-11-25T13:00:00.123Z');
const t1 = new Date('2026-11-25T13:05:00.999Z');

describe('setCondition', () => {
  it('appends a new condition with the transition time in seconds', () => {
    const conditions = setCondition(undefined, { type: 'Ready', status: 'False', reason: 'Deploying', message: 'pods starting', observedGeneration: 1 }, t0);
    expect(conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'Deploying', message: 'pods starting', observedGeneration: 1, lastTransitionTime: '2026-11-25T13:00:00Z' }]);
  });

  it('keeps the transition time while the status stays, and moves it when the status changes', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Deploying', message: 'a', observedGeneration: 1 }, t0);
    const sameStatus = setCondition(first, { type: 'Ready', status: 'False', reason: 'WaitingForTaskManagers', message: 'b', observedGeneration: 2 }, t1);
    expect(sameStatus[0]).toEqual({ type: 'Ready', status: 'False', reason: 'WaitingForTaskManagers', message: 'b', observedGeneration: 2, lastTransitionTime: '2026-11-25T13:00:00Z' });
    const flipped = setCondition(sameStatus, { type: 'Ready', status: 'True', reason: 'JobRunning', message: 'c', observedGeneration: 2 }, t1);
    expect(flipped[0]!.lastTransitionTime).toBe('2026-11-25T13:05:00Z');
  });

  it('returns the same array when nothing changed, and leaves other conditions in place', () => {
    const conditions: Condition[] = [
      { type: 'Ready', status: 'True', reason: 'JobRunning', message: 'ok', lastTransitionTime: '2026-11-25T13:00:00Z' },
      { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '', lastTransitionTime: '2026-11-25T13:00:00Z' },
    ];
    expect(setCondition(conditions, { type: 'Ready', status: 'True', reason: 'JobRunning', message: 'ok' }, t1)).toBe(conditions);
    const next = setCondition(conditions, { type: 'Degraded', status: 'True', reason: 'MissingSecret', message: 'Secret minio-creds not found' }, t1);
    expect(next.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['Ready', 'True', '2026-11-25T13:00:00Z'],
      ['Degraded', 'True', '2026-11-25T13:05:00Z'],
    ]);
    expect(conditions[1]!.status).toBe('False');
    expect(findCondition(next, 'Degraded')!.reason).toBe('MissingSecret');
    expect(findCondition(next, 'CheckpointHealthy')).toBeUndefined();
  });

  it('cuts a message of a few MiB (a JobManager\'s exception) to 4 KiB, marking the cut', () => {
    const [set] = setCondition([], { type: 'Ready', status: 'False', reason: 'JobFailed', message: `java.lang.Error: ${'x'.repeat(3 << 20)}` }, t0);
    expect(Buffer.byteLength(set!.message)).toBeLessThanOrEqual(4096);
    expect(set!.message).toMatch(/^java\.lang\.Error: x+ …\[\d+ of 3145745 bytes cut\]$/);
  });
});
