import { describe, it, expect } from '@jest/globals';
import { STREAM_JOB_STATES, type StreamJobState } from '../../../support/stream-job-states.ts';

/** [Reconciling, Stalled] as status and reason. */
const EXPECTED: Record<Exclude<StreamJobState, 'created' | 'specNotObserved'>, [string, string]> = {
  deploying: ['True Deploying', 'False NotStalled'],
  waitingForFirstCheckpoint: ['False Reconciled', 'False NotStalled'],
  running: ['False Reconciled', 'False NotStalled'],
  checkpointsLate: ['False Reconciled', 'False NotStalled'],
  taskManagerNotReady: ['True ScalingTaskManagers', 'False NotStalled'],
  restarting: ['True JobRestarting', 'False NotStalled'],
  upgrading: ['True Upgrading', 'False NotStalled'],
  suspended: ['False Reconciled', 'False NotStalled'],
  failed: ['False Stalled', 'True JobFailed'],
  finished: ['False Reconciled', 'False NotStalled'],
  invalidSpec: ['False Stalled', 'True InsufficientSlots'],
  crashLooping: ['False Stalled', 'True CrashLoopBackOff'],
};

describe('kstatus conditions', () => {
  it.each(Object.entries(EXPECTED))('%s: Reconciling %s, Stalled %s', (state, [reconciling, stalled]) => {
    const status = STREAM_JOB_STATES[state as keyof typeof EXPECTED]().status!;
    const find = (type: string) => status.conditions!.find((c) => c.type === type)!;
    expect(`${find('Reconciling').status} ${find('Reconciling').reason}`).toBe(reconciling);
    expect(`${find('Stalled').status} ${find('Stalled').reason}`).toBe(stalled);
    expect(find('Reconciling').observedGeneration).toBe(status.observedGeneration);
    expect(find('Stalled').observedGeneration).toBe(status.observedGeneration);
  });

  it('carries the reason and message of what stalls or what is under way', () => {
    const failed = STREAM_JOB_STATES.failed().status!;
    expect(failed.conditions!.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'JobFailed',
      message: 'The job failed and its restart strategy is exhausted: Error: boom in map',
    });
    expect(failed.conditions!.find((c) => c.type === 'Reconciling')).toMatchObject({
      status: 'False',
      reason: 'Stalled',
      message: 'Stalled: The job failed and its restart strategy is exhausted: Error: boom in map',
    });
    const upgrading = STREAM_JOB_STATES.upgrading().status!;
    expect(upgrading.conditions!.find((c) => c.type === 'Reconciling')).toMatchObject({ status: 'True', reason: 'Upgrading', message: 'Upgrading (last-state): Stopping' });
    const running = STREAM_JOB_STATES.running().status!;
    expect(running.conditions!.find((c) => c.type === 'Reconciling')).toMatchObject({ status: 'False', reason: 'Reconciled', message: 'Running with 2 TaskManagers' });
  });
});
