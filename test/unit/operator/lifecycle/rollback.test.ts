import { describe, it, expect } from '@jest/globals';
import type { Decision, Observed, PodObservation } from '../../../../operator/lifecycle/decision.ts';
import { decide } from '../../../../operator/lifecycle/lifecycle.ts';
import { runSpec } from '../../../../operator/lifecycle/run-spec.ts';
import type { JobObservation } from '../../../../operator/jobmanager/jobmanager-client.ts';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { StreamJobSpec } from '../../../../operator/api/stream-job-spec.ts';
import type { StreamJobStatus } from '../../../../operator/api/stream-job-status.ts';
import { canonicalJson, specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';
import { upgradeChecked } from '../../../support/upgrade-checked.ts';

// Issue 15 item 5: the rollback decision, driven through decide() step by step as the reconciler
// would (each decision's status written back before the next observation).
const uid = '6f1c0000-0000-4000-8000-000000000001';
const t0 = Date.parse('2026-11-25T12:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const chk = (run: number, id: number) => ({ id, path: `s3://checkpoints/sluice/streaming/wordcount/${uid}-${run}/checkpoints/chk-${id}`, time: at(id) });
const runningWith = (latestCompleted?: ReturnType<typeof chk>): JobObservation => ({ reachable: true, state: 'RUNNING', restarts: 0, ...(latestCompleted ? { latestCompleted } : {}) });
const restarting: Extract<JobObservation, { reachable: true }> = { reachable: true, state: 'RESTARTING', restarts: 3 };

function pods(run: number): Pick<Observed, 'jobManagerPod' | 'taskManagerPods'> {
  const pod = (name: string): PodObservation => ({ name, ready: true, run, terminating: false });
  return { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), pod('wordcount-taskmanager-1')] };
}

const observe = (job: StreamJob, seconds: number, rest: Partial<Observed> = {}): Observed => ({ job, now: at(seconds), specHash: specHash(job.spec), problems: [], taskManagerPods: [], ...rest });
const written = (job: StreamJob, d: Decision): StreamJob => ({ ...job, status: d.status });
const cond = (status: StreamJobStatus, type: string) => status.conditions?.find((c) => c.type === type);
const withArgs = (job: StreamJob, args: string[]): StreamJob =>
  upgradeChecked({ ...job, metadata: { ...job.metadata, generation: (job.metadata.generation ?? 1) + 1 }, spec: { ...job.spec, job: { ...job.spec.job, args } } });

/** Run 1 of the example job with rollback enabled (timeout 1m), stable at t=5 s with checkpoint 3. */
function stableRun1(): StreamJob {
  let job = exampleStreamJob((j) => (j.spec.job.rollback = { enabled: true, timeout: '1m' }));
  job = written(job, decide(observe(job, 0)));
  return written(job, decide(observe(job, 5, { ...pods(1), jobManager: runningWith(chk(1, 3)) })));
}

/** Upgrades a stable run 1 to `args` in last-state mode: run 2 deployed at t=10 s from run 1's checkpoint 3. */
function upgradedToRun2(args: string[]): StreamJob {
  let job = withArgs(stableRun1(), args);
  job = written(job, decide(observe(job, 8, { ...pods(1), jobManager: runningWith(chk(1, 3)) })));
  job = written(job, decide(observe(job, 9, { ...pods(1), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: chk(1, 3) } })));
  job = written(job, decide(observe(job, 10)));
  job = written(job, decide(observe(job, 11, { ...pods(2), jobManager: restarting })));
  expect(job.status).toMatchObject({ run: { number: 2, specHash: specHash(job.spec), restorePath: chk(1, 3).path, restoreFromRun: `${uid}-1` } });
  expect(job.status!.upgrade).toBeUndefined();
  return job;
}

/** Rolls run 2 back at t=71 s (the timeout after its deploy): cancelled, torn down, run 3 of the stable spec deployed. */
function rolledBackToRun3(job: StreamJob, failed: Extract<JobObservation, { reachable: true }>): { job: StreamJob; decisions: Decision[] } {
  const decisions: Decision[] = [];
  const step = (seconds: number, rest: Partial<Observed>) => {
    const d = decide(observe(job, seconds, rest));
    decisions.push(d);
    job = written(job, d);
  };
  step(71, { ...pods(2), jobManager: failed });
  step(72, { ...pods(2), jobManager: { ...failed, state: 'CANCELED' } });
  step(73, {});
  step(74, { ...pods(3), jobManager: restarting });
  return { job, decisions };
}

describe('rollback of an upgrade that does not become stable', () => {
  it('records the spec of a run as the last stable spec once it runs with a completed checkpoint of its own', () => {
    let job = exampleStreamJob((j) => (j.spec.job.rollback = { enabled: true, timeout: '1m' }));
    job = written(job, decide(observe(job, 0)));
    // Running without a checkpoint of its own yet is not stable.
    job = written(job, decide(observe(job, 2, { ...pods(1), jobManager: runningWith() })));
    expect(job.status!.lastStableSpec).toBeUndefined();
    job = written(job, decide(observe(job, 5, { ...pods(1), jobManager: runningWith(chk(1, 3)) })));
    expect(job.status!.lastStableSpec).toEqual({ spec: canonicalJson(job.spec), specHash: specHash(job.spec), run: 1, time: '2026-11-25T12:00:05Z' });
    // Recorded once per run.
    const later = decide(observe(job, 30, { ...pods(1), jobManager: runningWith(chk(1, 9)) }));
    expect(later.status.lastStableSpec!.time).toBe('2026-11-25T12:00:05Z');
  });

  it('rolls an upgraded run that is not stable within the timeout back to the last stable spec, from the state taken before the upgrade, and holds the failed spec', () => {
    let job = upgradedToRun2(['--unbounded', '--broken']);
    const stable = job.status!.lastStableSpec!;
    const failedHash = specHash(job.spec);
    // Within the timeout: watched, not rolled back.
    let d = decide(observe(job, 69, { ...pods(2), jobManager: restarting }));
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status.rollback).toBeUndefined();
    job = written(job, d);

    const { job: after, decisions } = rolledBackToRun3(job, restarting);
    const [start, stopped, deployed, up] = decisions as [Decision, Decision, Decision, Decision];
    const reason = `run 2 (spec ${failedHash}) was not Running with a completed checkpoint within 1m: The job is RESTARTING`;
    expect(start.status.rollback).toEqual({ state: 'RollingBack', failedSpecHash: failedHash, failedRun: 2, specHash: stable.specHash, reason, startTime: '2026-11-25T12:01:11Z' });
    expect(start.status.upgrade).toEqual({ step: 'Stopping', mode: 'last-state', targetSpecHash: stable.specHash, startTime: '2026-11-25T12:01:11Z' });
    expect(start.actions).toEqual([{ kind: 'cancel' }]);
    expect(start.events).toEqual([{ type: 'Warning', reason: 'RollingBack', message: `Rolling back to the last stable spec ${stable.specHash} (run 1): ${reason}` }]);
    expect(start.status).toMatchObject({ phase: 'Upgrading', message: `Rolling back to the last stable spec ${stable.specHash}: Stopping` });
    expect(cond(start.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'RollingBack' });
    // Run 2 checkpointed nothing: run 3 starts where run 2 started, run 1's checkpoint taken for the upgrade.
    expect(stopped.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: chk(1, 3).path });
    expect(stopped.actions).toEqual([{ kind: 'teardown' }]);
    expect(deployed.actions).toEqual([{ kind: 'deploy' }]);
    expect(deployed.status.run).toEqual({
      number: 3,
      specHash: stable.specHash,
      spec: stable.spec,
      restorePath: chk(1, 3).path,
      restoreFromRun: `${uid}-2`,
      restartNonce: 0,
      parallelism: 2,
      startTime: '2026-11-25T12:01:13Z',
    });
    // What the reconciler deploys for run 3: the stable spec's args, not the StreamJob's.
    expect(runSpec(after, deployed.status.run).job.args).toEqual(['--unbounded']);
    expect(up.status.upgrade).toBeUndefined();
    expect(up.status.rollback).toMatchObject({ state: 'RolledBack', failedSpecHash: failedHash });
    expect(up.status.phase).toBe('RolledBack');
    const message = `Rolled back to the last stable spec ${stable.specHash}; spec ${failedHash} is not deployed again until the spec changes, because ${reason}`;
    expect(up.status.message).toBe(message);
    expect(up.events).toEqual([{ type: 'Warning', reason: 'RolledBack', message: `Run 3 of the last stable spec ${stable.specHash} deployed from ${chk(1, 3).path}; ${message}` }]);
    expect(cond(up.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'RolledBack', message });

    // Running again on the stable spec: phase RolledBack, Ready (the job runs), Degraded (the spec is not carried out).
    job = after;
    d = decide(observe(job, 80, { ...pods(3), jobManager: runningWith(chk(3, 12)) }));
    expect(d.status).toMatchObject({ phase: 'RolledBack', message, run: { number: 3 }, lastStableSpec: { specHash: stable.specHash, run: 3 } });
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    expect(d.events).toEqual([]);
    expect(cond(d.status, 'Ready')).toMatchObject({ status: 'True' });
    expect(cond(d.status, 'Progressing')).toMatchObject({ status: 'False', reason: 'RolledBack' });
    const degraded = cond(d.status, 'Degraded')!;
    expect(degraded).toMatchObject({ status: 'True', reason: 'RolledBack', lastTransitionTime: '2026-11-25T12:01:14Z' });
    job = written(job, d);

    // The failed spec set again (only how it rolls out changed): held, nothing redeployed.
    job = { ...job, metadata: { ...job.metadata, generation: 9 }, spec: { ...job.spec, job: { ...job.spec.job, upgradeMode: 'savepoint' } } };
    d = decide(observe(job, 90, { ...pods(3), jobManager: runningWith(chk(3, 20)) }));
    expect(d.status).toMatchObject({ phase: 'RolledBack', observedGeneration: 9, run: { number: 3 } });
    expect(d.status.upgrade).toBeUndefined();
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    // The condition did not transition again although pod failures said False first in the decision.
    expect(cond(d.status, 'Degraded')).toEqual({ ...degraded, observedGeneration: 9 });
    job = written(job, d);

    // A restart while held redeploys the stable spec.
    const restarted = { ...job, spec: { ...job.spec, job: { ...job.spec.job, restartNonce: 1 } } };
    let r = written(restarted, decide(observe(restarted, 95, { ...pods(3), jobManager: runningWith(chk(3, 20)) })));
    r = written(r, decide(observe(r, 96, { ...pods(3), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: chk(3, 21) } })));
    expect(decide(observe(r, 97)).status.run).toMatchObject({ number: 4, specHash: stable.specHash, spec: stable.spec, restartNonce: 1, restorePath: chk(3, 21).path });

    // A different spec is rolled out, and the rollback is over once its run runs.
    let next = withArgs(job, ['--unbounded', '--fixed']);
    d = decide(observe(next, 100, { ...pods(3), jobManager: runningWith(chk(3, 20)) }));
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', targetSpecHash: specHash(next.spec) });
    next = written(next, d);
    next = written(next, decide(observe(next, 101, { ...pods(3), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: chk(3, 21) } })));
    d = decide(observe(next, 102));
    expect(d.status.run).toMatchObject({ number: 4, specHash: specHash(next.spec), restorePath: chk(3, 21).path });
    expect(d.status.run).not.toHaveProperty('spec');
    next = written(next, d);
    next = written(next, decide(observe(next, 103, { ...pods(4), jobManager: restarting })));
    d = decide(observe(next, 110, { ...pods(4), jobManager: runningWith(chk(4, 25)) }));
    expect(d.status.rollback).toBeUndefined();
    expect(d.status).toMatchObject({ phase: 'Running', lastStableSpec: { specHash: specHash(next.spec), run: 4 } });
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'False' });
  });

  it('a failed run that completed a checkpoint of its own is rolled back from that checkpoint: its sinks committed up to it', () => {
    const job = upgradedToRun2(['--unbounded', '--crashes-later']);
    const failed: Extract<JobObservation, { reachable: true }> = { reachable: true, state: 'FAILED', restarts: 5, latestCompleted: chk(2, 14) };
    const { decisions } = rolledBackToRun3(job, failed);
    // A FAILED job is not cancelled but torn down at once; run 3 looks in run 2's storage first.
    expect(decisions[0]!.actions).toEqual([{ kind: 'teardown' }]);
    expect(decisions[0]!.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: chk(2, 14).path });
    expect(decisions[2]!.status.run).toMatchObject({ number: 3, restorePath: chk(2, 14).path, restoreFromRun: `${uid}-2` });
  });

  it('reverting the spec to the stable one ends the rollback without a redeploy', () => {
    const { job } = rolledBackToRun3(upgradedToRun2(['--unbounded', '--broken']), restarting);
    const reverted = withArgs(job, ['--unbounded']);
    const d = decide(observe(reverted, 80, { ...pods(3), jobManager: runningWith(chk(3, 12)) }));
    expect(d.status.rollback).toBeUndefined();
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status).toMatchObject({ phase: 'Running', run: { number: 3 } });
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'False' });
  });

  it('a rollback ended by a suspension resumes on the last stable spec and holds the failed spec', () => {
    let job = upgradedToRun2(['--unbounded', '--broken']);
    const stable = job.status!.lastStableSpec!;
    job = written(job, decide(observe(job, 71, { ...pods(2), jobManager: restarting })));
    expect(job.status!.rollback).toMatchObject({ state: 'RollingBack' });
    job = { ...job, spec: { ...job.spec, job: { ...job.spec.job, state: 'suspended' } } };
    job = written(job, decide(observe(job, 72, { ...pods(2), jobManager: { ...restarting, state: 'CANCELED' } })));
    job = written(job, decide(observe(job, 73)));
    expect(job.status).toMatchObject({ phase: 'Suspended', rollback: { state: 'RollingBack' } });
    job = { ...job, spec: { ...job.spec, job: { ...job.spec.job, state: 'running' } } };
    job = written(job, decide(observe(job, 80)));
    expect(job.status!.run).toMatchObject({ number: 3, specHash: stable.specHash, spec: stable.spec });
    const d = decide(observe(job, 90, { ...pods(3), jobManager: runningWith(chk(3, 12)) }));
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status).toMatchObject({ phase: 'RolledBack', run: { number: 3 }, rollback: { state: 'RolledBack' } });
  });

  it('does not roll back when disabled, when the run became stable, or when no earlier run was stable', () => {
    // Disabled: the unstable run 2 is left as it is, however long.
    const disabled = upgradedToRun2(['--unbounded', '--broken']);
    disabled.spec = { ...disabled.spec, job: { ...disabled.spec.job, rollback: { enabled: false, timeout: '1m' } } };
    expect(decide(observe(disabled, 600, { ...pods(2), jobManager: restarting })).status.upgrade).toBeUndefined();
    // Stable before the timeout: never rolled back afterwards, even when it restarts later.
    let stable = upgradedToRun2(['--unbounded', '--slow-start']);
    stable = written(stable, decide(observe(stable, 50, { ...pods(2), jobManager: runningWith(chk(2, 4)) })));
    expect(stable.status!.lastStableSpec).toMatchObject({ run: 2, specHash: specHash(stable.spec) });
    expect(decide(observe(stable, 600, { ...pods(2), jobManager: restarting })).status.upgrade).toBeUndefined();
    // A StreamJob stored under a CRD without the field (helm does not upgrade CRDs): off, not a crash.
    const unknown = upgradedToRun2(['--unbounded', '--broken']);
    const { rollback: _absent, ...jobSpec } = unknown.spec.job;
    unknown.spec = { ...unknown.spec, job: jobSpec as StreamJobSpec['job'] };
    expect(decide(observe(unknown, 600, { ...pods(2), jobManager: restarting })).status.upgrade).toBeUndefined();
    // A first run that never becomes stable has nothing to roll back to.
    let first = exampleStreamJob((j) => (j.spec.job.rollback = { enabled: true, timeout: '1m' }));
    first = written(first, decide(observe(first, 0)));
    expect(decide(observe(first, 600, { ...pods(1), jobManager: restarting })).status.upgrade).toBeUndefined();
  });

  it('rolls back a run whose JobManager never answers, and excludes rollback settings from the spec hash', () => {
    const job = upgradedToRun2(['--unbounded', '--missing-module']);
    const d = decide(observe(job, 71, { ...pods(2), jobManager: { reachable: false, error: 'connect ECONNREFUSED' } }));
    expect(d.status.rollback).toMatchObject({ state: 'RollingBack', failedRun: 2 });
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: chk(1, 3).path });
    const spec: StreamJobSpec = { ...job.spec, job: { ...job.spec.job, rollback: { enabled: false, timeout: '10m' } } };
    expect(specHash(spec)).toBe(specHash(job.spec));
  });
});
