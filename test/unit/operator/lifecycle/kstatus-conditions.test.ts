import { describe, it, expect } from '@jest/globals';
import { kstatusOf } from '../../../support/kstatus.ts';
import { STREAM_JOB_STATES, type StreamJobState } from '../../../support/stream-job-states.ts';

/** Reconciling and Stalled (status and reason), and what kstatus (sigs.k8s.io/cli-utils, as Flux runs it) computes from the StreamJob. */
const EXPECTED: Record<StreamJobState, [string | undefined, string | undefined, string]> = {
  created: [undefined, undefined, 'Current'],
  specNotObserved: ['False Reconciled', 'False NotStalled', 'InProgress'],
  deploying: ['True Deploying', 'False NotStalled', 'InProgress'],
  waitingForFirstCheckpoint: ['False Reconciled', 'False NotStalled', 'Current'],
  running: ['False Reconciled', 'False NotStalled', 'Current'],
  checkpointsLate: ['False Reconciled', 'False NotStalled', 'Current'],
  redeployingForHealth: ['True CheckpointStalled', 'False NotStalled', 'InProgress'],
  taskManagerNotReady: ['True ScalingTaskManagers', 'False NotStalled', 'InProgress'],
  restarting: ['True JobRestarting', 'False NotStalled', 'InProgress'],
  upgrading: ['True Upgrading', 'False NotStalled', 'InProgress'],
  checkingUpgrade: ['True CheckingUpgrade', 'False NotStalled', 'InProgress'],
  upgradeHeld: ['False Stalled', 'True UpgradeUnsafe', 'Failed'],
  suspended: ['False Reconciled', 'False NotStalled', 'Current'],
  failed: ['False Stalled', 'True JobFailed', 'Failed'],
  finished: ['False Reconciled', 'False NotStalled', 'Current'],
  invalidSpec: ['False Stalled', 'True InsufficientSlots', 'Failed'],
  crashLooping: ['False Stalled', 'True CrashLoopBackOff', 'Failed'],
  rolledBack: ['False Stalled', 'True RolledBack', 'Failed'],
};

describe('kstatus conditions', () => {
  it.each(Object.entries(EXPECTED).map(([state, [r, s, k]]) => [state, r, s, k] as const))('%s: Reconciling %s, Stalled %s; kstatus %s', async (state, reconciling, stalled, kstatus) => {
    const job = STREAM_JOB_STATES[state as StreamJobState]();
    const find = (type: string) => job.status?.conditions?.find((c) => c.type === type);
    const said = (type: string) => (find(type) ? `${find(type)!.status} ${find(type)!.reason}` : undefined);
    expect([said('Reconciling'), said('Stalled')]).toEqual([reconciling, stalled]);
    if (job.status) expect([find('Reconciling')?.observedGeneration, find('Stalled')?.observedGeneration]).toEqual([job.status.observedGeneration, job.status.observedGeneration]);
    expect((await kstatusOf(job)).status).toBe(kstatus);
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
    expect(upgrading.conditions!.find((c) => c.type === 'Reconciling')).toMatchObject({ status: 'True', reason: 'Upgrading', message: 'Upgrading (stateless): Stopping' });
    const running = STREAM_JOB_STATES.running().status!;
    expect(running.conditions!.find((c) => c.type === 'Reconciling')).toMatchObject({ status: 'False', reason: 'Reconciled', message: 'Running with 2 TaskManagers' });
  });

  it('is Ready when the StreamJob is what its spec asks: running with every pod ready, suspended, or finished', () => {
    const ready = (state: StreamJobState) => {
      const c = STREAM_JOB_STATES[state]().status!.conditions!.find((c) => c.type === 'Ready')!;
      return `${c.status} ${c.reason}`;
    };
    expect([ready('running'), ready('suspended'), ready('finished'), ready('deploying'), ready('failed')]).toEqual(['True JobRunning', 'True Suspended', 'True JobFinished', 'False Deploying', 'False JobFailed']);
  });
});
