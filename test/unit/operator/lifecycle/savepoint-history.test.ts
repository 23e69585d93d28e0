import { describe, it, expect } from '@jest/globals';
import { applyActionResult } from '../../../../operator/lifecycle/action-result.ts';
import type { Decision, Observed, PodObservation } from '../../../../operator/lifecycle/decision.ts';
import { decide } from '../../../../operator/lifecycle/lifecycle.ts';
import { disposableSavepoints, protectedSavepoints } from '../../../../operator/lifecycle/savepoint-history.ts';
import type { JobObservation } from '../../../../operator/jobmanager/jobmanager-client.ts';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { Savepoint, StreamJobStatus } from '../../../../operator/api/stream-job-status.ts';
import { specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const start = new Date('2026-11-25T12:00:00Z');
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
const running: Extract<JobObservation, { reachable: true }> = { reachable: true, state: 'RUNNING', restarts: 0 };
const sp = (n: number) => `s3://checkpoints/sluice/streaming/wordcount/savepoints/sp-${n}`;
const savepoint = (n: number, seconds: number, trigger: Savepoint['trigger'] = 'periodic'): Savepoint => ({ path: sp(n), time: at(seconds).toISOString().replace('.000Z', 'Z'), trigger });

function pods(run: number): Pick<Observed, 'jobManagerPod' | 'taskManagerPods'> {
  const pod = (name: string): PodObservation => ({ name, ready: true, run, terminating: false });
  return { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), pod('wordcount-taskmanager-1')] };
}

/** The JobManager runs the job and completed a checkpoint just now (a job without one would be redeployed for health). */
function observe(job: StreamJob, now: Date, rest: Partial<Observed> = {}): Observed {
  const checkpoint = { id: 1, path: 's3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-1', time: now };
  return { job, now, specHash: specHash(job.spec), problems: [], ...pods(1), jobManager: { ...running, latestCompleted: checkpoint }, ...rest };
}

function written(job: StreamJob, decision: Decision | StreamJobStatus): StreamJob {
  return { ...job, status: 'status' in decision ? decision.status : decision };
}

/** Run 1 deployed at `start` and RUNNING, with `savepoints` set in spec.job. */
function runningJob(change: (job: StreamJob) => void): StreamJob {
  let job = exampleStreamJob(change);
  job = written(job, decide({ job, now: start, specHash: specHash(job.spec), problems: [], taskManagerPods: [] }));
  return written(job, decide(observe(job, start)));
}

describe('savepoint history policy (pure)', () => {
  const history = [savepoint(5, 50), savepoint(4, 40), savepoint(3, 30), savepoint(2, 20), savepoint(1, 10)];

  it('lets go of savepoints beyond maxCount and older than maxAge, never the newest nor a protected one', () => {
    expect(disposableSavepoints(history, { maxCount: 2 }, new Set(), at(60)).map((s) => s.path)).toEqual([sp(3), sp(2), sp(1)]);
    expect(disposableSavepoints(history, { maxCount: 2 }, new Set([sp(2)]), at(60)).map((s) => s.path)).toEqual([sp(3), sp(1)]);
    expect(disposableSavepoints(history, { maxCount: 10, maxAgeMs: 25_000 }, new Set(), at(60)).map((s) => s.path)).toEqual([sp(3), sp(2), sp(1)]);
    // All too old: the newest stays all the same.
    expect(disposableSavepoints(history, { maxCount: 10, maxAgeMs: 1000 }, new Set(), at(600)).map((s) => s.path)).toEqual([sp(4), sp(3), sp(2), sp(1)]);
    expect(disposableSavepoints(history.slice(0, 2), { maxCount: 2 }, new Set(), at(60))).toEqual([]);
  });

  it('protects the newest savepoint, the run\'s restore point, an upgrade\'s restore point and initialSavepointPath (trailing slashes aside)', () => {
    const job = exampleStreamJob((j) => (j.spec.job.initialSavepointPath = `${sp(1)}/`));
    const status: StreamJobStatus = {
      savepoints: { last: savepoint(9, 90), history: [savepoint(9, 90)] },
      run: { number: 2, specHash: 'h', restorePath: sp(2), startTime: '2026-11-25T12:00:00Z' },
      upgrade: { step: 'TearingDown', targetSpecHash: 'h2', restorePath: sp(3), startTime: '2026-11-25T12:00:00Z' },
    };
    expect([...protectedSavepoints(status, job.spec)].sort()).toEqual([sp(1), sp(2), sp(3), sp(9)]);
  });
});

describe('periodic savepoints and disposal in the lifecycle', () => {
  it('takes a periodic savepoint an interval after the run started, records it with its trigger, and the next one an interval after it', () => {
    let job = runningJob((j) => (j.spec.job.savepoints = { interval: '1m', history: { maxCount: 2 } }));
    let d = decide(observe(job, at(30)));
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    expect(d.requeueAfterMs).toBe(5000);
    expect(decide(observe(job, at(58))).requeueAfterMs).toBe(2000);
    d = decide(observe(job, at(60)));
    expect(d.actions).toEqual([{ kind: 'deploy' }, { kind: 'periodicSavepoint' }]);
    const triggered = applyActionResult(d.status, d.actions[1]!, { ok: true, triggerId: 't-1' }, at(60));
    expect(triggered.status.savepoints!.pending).toEqual({ triggerId: 't-1', trigger: 'periodic', startTime: '2026-11-25T12:01:00Z' });
    expect(triggered.events).toEqual([{ type: 'Normal', reason: 'SavepointTriggered', message: 'Periodic savepoint requested (job.savepoints.interval)' }]);
    job = written(job, triggered.status);
    // In flight: no second one, and the nonce (unchanged) is not touched.
    expect(decide(observe(job, at(61), { savepointTrigger: { status: 'IN_PROGRESS' } })).actions).toEqual([{ kind: 'deploy' }]);
    d = decide(observe(job, at(62), { savepointTrigger: { status: 'COMPLETED', location: sp(60) } }));
    expect(d.status.savepoints).toEqual({ observedTriggerNonce: 0, last: savepoint(60, 62), history: [savepoint(60, 62)] });
    job = written(job, d);
    expect(decide(observe(job, at(121))).actions).toEqual([{ kind: 'deploy' }]);
    expect(decide(observe(job, at(122))).actions).toEqual([{ kind: 'deploy' }, { kind: 'periodicSavepoint' }]);
  });

  it('a manual nonce changed while a periodic savepoint runs is still acted on', () => {
    let job = runningJob((j) => (j.spec.job.savepoints = { interval: '1m', history: { maxCount: 2 } }));
    job.status = { ...job.status!, savepoints: { ...job.status!.savepoints, pending: { triggerId: 't-1', trigger: 'periodic', startTime: '2026-11-25T12:01:00Z' } } };
    job.spec.job.savepointTriggerNonce = 3;
    const d = decide(observe(job, at(62), { savepointTrigger: { status: 'COMPLETED', location: sp(60) } }));
    expect(d.status.savepoints!.observedTriggerNonce).toBe(0);
    expect(decide(observe(written(job, d), at(63))).actions).toEqual([{ kind: 'deploy' }, { kind: 'triggerSavepoint', nonce: 3 }]);
  });

  it('with maxCount 2, moves older savepoints to disposing, disposes of them one at a time through the JobManager, and forgets each once it is gone', () => {
    let job = runningJob((j) => (j.spec.job.savepoints = { history: { maxCount: 2 } }));
    job.status = { ...job.status!, savepoints: { last: savepoint(3, 30), history: [savepoint(3, 30), savepoint(2, 20), savepoint(1, 10)] } };
    let d = decide(observe(job, at(40)));
    expect(d.status.savepoints).toEqual({ last: savepoint(3, 30), history: [savepoint(3, 30), savepoint(2, 20)], disposing: [{ path: sp(1), since: '2026-11-25T12:00:40Z' }] });
    expect(d.actions).toEqual([{ kind: 'deploy' }, { kind: 'disposeSavepoint', path: sp(1) }]);
    let applied = applyActionResult(d.status, d.actions[1]!, { ok: true, triggerId: 'd-1' }, at(40));
    expect(applied.status.savepoints!.disposing).toEqual([{ path: sp(1), since: '2026-11-25T12:00:40Z', triggerId: 'd-1' }]);
    job = written(job, applied.status);
    expect(decide(observe(job, at(41), { savepointDisposal: { status: 'IN_PROGRESS' } })).actions).toEqual([{ kind: 'deploy' }]);

    // The JobManager was replaced and does not know the trigger: asked again.
    d = decide(observe(job, at(42), { savepointDisposal: { status: 'FAILED', cause: 'HTTP 404: no savepoint disposal with trigger id "d-1"' } }));
    expect(d.status.savepoints!.disposing).toEqual([{ path: sp(1), since: '2026-11-25T12:00:40Z', lastError: 'HTTP 404: no savepoint disposal with trigger id "d-1"' }]);
    expect(d.events.map((e) => e.reason)).toEqual(['SavepointDisposalFailed']);
    job = written(job, d);
    d = decide(observe(job, at(43)));
    expect(d.actions).toEqual([{ kind: 'deploy' }, { kind: 'disposeSavepoint', path: sp(1) }]);
    applied = applyActionResult(d.status, d.actions[1]!, { ok: true, triggerId: 'd-2' }, at(43));
    job = written(job, applied.status);

    d = decide(observe(job, at(44), { savepointDisposal: { status: 'COMPLETED' } }));
    expect(d.status.savepoints).toEqual({ last: savepoint(3, 30), history: [savepoint(3, 30), savepoint(2, 20)] });
    expect(d.events).toEqual([{ type: 'Normal', reason: 'SavepointDisposed', message: `Savepoint ${sp(1)} disposed of (history policy)` }]);
  });

  it('keeps the savepoint the run started from beyond maxCount, gives up on a refused disposal, and waits for an unreachable JobManager', () => {
    let job = runningJob((j) => (j.spec.job.savepoints = { history: { maxCount: 1 } }));
    job.status = { ...job.status!, run: { ...job.status!.run!, restorePath: sp(1) }, savepoints: { last: savepoint(3, 30), history: [savepoint(3, 30), savepoint(2, 20), savepoint(1, 10)] } };
    let d = decide(observe(job, at(40), { jobManager: { reachable: false, error: 'connect ECONNREFUSED' } }));
    expect(d.status.savepoints!.history).toEqual([savepoint(3, 30), savepoint(1, 10)]);
    expect(d.status.savepoints!.disposing).toEqual([{ path: sp(2), since: '2026-11-25T12:00:40Z' }]);
    expect(d.actions.filter((a) => a.kind === 'disposeSavepoint')).toEqual([]);
    job = written(job, d);
    d = decide(observe(job, at(41)));
    const refused = applyActionResult(d.status, d.actions[1]!, { ok: false, error: 'HTTP 400: not a savepoint of this job', httpStatus: 400 }, at(41));
    expect(refused.status.savepoints).toEqual({ last: savepoint(3, 30), history: [savepoint(3, 30), savepoint(1, 10)] });
    expect(refused.events).toEqual([{ type: 'Warning', reason: 'SavepointDisposalRefused', message: `Savepoint ${sp(2)} is not disposed of, its files are left in storage: HTTP 400: not a savepoint of this job` }]);
  });
});
