import { describe, expect, it } from '@jest/globals';
import { boundedPlanJson, type UpgradePlan } from '../../../../runtime/rest/upgrade-plan.ts';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { StreamJobStatus } from '../../../../operator/api/stream-job-status.ts';
import type { JobObservation } from '../../../../operator/jobmanager/jobmanager-client.ts';
import type { Decision, Observed, PlanPodObservation, PodObservation } from '../../../../operator/lifecycle/decision.ts';
import { decide } from '../../../../operator/lifecycle/lifecycle.ts';
import { PLAN_TIMEOUT_MS } from '../../../../operator/lifecycle/upgrade-check.ts';
import { specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

// Issue 15 item 6: the upgrade check, driven through decide() as the reconciler would.
const uid = '6f1c0000-0000-4000-8000-000000000001';
const t0 = Date.parse('2026-11-25T12:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const chk = { id: 7, path: `s3://checkpoints/sluice/streaming/wordcount/${uid}-1/checkpoints/chk-7`, time: at(0) };
const running: JobObservation = { reachable: true, state: 'RUNNING', restarts: 0, latestCompleted: chk };
const pod = (name: string): PodObservation => ({ name, ready: true, run: 1, terminating: false });
const run1 = { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), pod('wordcount-taskmanager-1')], jobManager: running };
const observe = (job: StreamJob, seconds: number, rest: Partial<Observed> = {}): Observed => ({ job, now: at(seconds), specHash: specHash(job.spec), problems: [], ...run1, ...rest });
const written = (job: StreamJob, d: Decision): StreamJob => ({ ...job, status: d.status });
const cond = (status: StreamJobStatus, type: string) => status.conditions?.find((c) => c.type === type);

/** Run 1 running with checkpoint 7, then its spec changed by `change` (generation 2). */
function changed(change: (job: StreamJob) => void): StreamJob {
  let job = exampleStreamJob();
  job = written(job, decide(observe(job, 0, { jobManagerPod: undefined, taskManagerPods: [], jobManager: undefined })));
  job = written(job, decide(observe(job, 1)));
  job = structuredClone(job);
  change(job);
  job.metadata.generation = 2;
  return job;
}
const newArgs = (job: StreamJob) => (job.spec.job.args = ['--unbounded', '--sums-uid=totals']);

const message = `operator uid "sums" has state in ${chk.path} but no operator of the new job has that uid`;
const unsafe: UpgradePlan = { safe: false, restorePoint: chk.path, checkpointId: 7, problems: [{ kind: 'state-dropped', operatorId: 'op-sums', uid: 'sums', message }], summary: message };
const safe: UpgradePlan = { safe: true, restorePoint: chk.path, checkpointId: 7, problems: [], summary: `all 2 operators with state in ${chk.path} are in the new job` };
const ended = (job: StreamJob, exitCode: number, plan: UpgradePlan | string): PlanPodObservation => ({
  name: `wordcount-plan-${specHash(job.spec).slice(0, 10)}`,
  specHash: specHash(job.spec),
  terminating: false,
  outcome: { exitCode, message: typeof plan === 'string' ? plan : boundedPlanJson(plan), ...(exitCode === 0 ? { reason: 'Completed' } : { reason: 'Error' }) },
});

describe('the upgrade check before a stateful upgrade', () => {
  it('runs the plan pod first and keeps the old run running meanwhile', () => {
    const job = changed(newArgs);
    const hash = specHash(job.spec);
    const d = decide(observe(job, 2));
    expect(d.actions).toEqual([{ kind: 'runPlan', specHash: hash, fromRun: `${uid}-1` }]);
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status.upgradeCheck).toEqual({ specHash: hash, state: 'Checking', pod: `wordcount-plan-${hash.slice(0, 10)}`, startTime: '2026-11-25T12:00:02Z' });
    expect(d.status.phase).toBe('Running');
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'Unknown', reason: 'Checking' });
    expect(cond(d.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'CheckingUpgrade' });
    expect(d.events.map((e) => e.reason)).toEqual(['CheckingUpgrade']);
    // The pod runs: not created again, nothing else done.
    const next = decide(observe(written(job, d), 3, { planPod: { name: d.status.upgradeCheck!.pod!, specHash: hash, terminating: false } }));
    expect(next.actions).toEqual([]);
    expect(next.events).toEqual([]);
  });

  it('asks the plan for the state the run started from when it has not checkpointed yet', () => {
    const job = changed(newArgs);
    job.status!.run!.restorePath = 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1';
    expect(decide(observe(job, 2)).actions).toEqual([{ kind: 'runPlan', specHash: specHash(job.spec), fromRun: `${uid}-1`, from: 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1' }]);
  });

  it('a safe verdict lets the upgrade stop the old run, and the plan pod is deleted', () => {
    let job = changed(newArgs);
    job = written(job, decide(observe(job, 2)));
    const planPod = ended(job, 0, safe);
    const d = decide(observe(job, 12, { planPod }));
    expect(d.status.upgradeCheck).toMatchObject({ state: 'Safe', restorePoint: chk.path, message: safe.summary });
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'True', reason: 'StateRestorable', message: safe.summary });
    expect(d.actions).toEqual([{ kind: 'deletePlan', name: planPod.name }, { kind: 'cancel' }]);
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'last-state' });
    expect(d.events.map((e) => e.reason)).toEqual(['UpgradeSafe', 'Upgrading']);
  });

  it('an unsafe verdict is not carried out: the uid named in UpgradeSafe and Degraded, one Warning event, the check not run again', () => {
    let job = changed(newArgs);
    job = written(job, decide(observe(job, 2)));
    const planPod = ended(job, 3, unsafe);
    const d = decide(observe(job, 12, { planPod }));
    expect(d.actions).toEqual([{ kind: 'deletePlan', name: planPod.name }]);
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status.phase).toBe('Running');
    expect(d.status.upgradeCheck).toMatchObject({ state: 'Unsafe', message, problems: [{ kind: 'state-dropped', operatorId: 'op-sums', uid: 'sums' }] });
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'False', reason: 'StateDropped', message });
    const held = `The upgrade to spec ${specHash(job.spec)} is not carried out and the old run keeps running: it is unsafe: ${message}. Change the spec, or set spec.job.allowNonRestoredState to upgrade without state the new job has no operator for`;
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'UpgradeUnsafe', message: held });
    expect(d.events).toEqual([{ type: 'Warning', reason: 'UpgradeUnsafe', message: held }]);
    job = written(job, d);
    // Later: the pod is gone; nothing is run or said again, the old run is still observed and held.
    const later = decide(observe(job, 60));
    expect(later.actions).toEqual([]);
    expect(later.events).toEqual([]);
    expect(later.status.upgradeCheck).toEqual(job.status!.upgradeCheck);
    expect(cond(later.status, 'Degraded')).toEqual(cond(job.status!, 'Degraded'));
  });

  it('a spec changed back to the running one ends the hold without a redeploy; set again, it is not checked again', () => {
    let job = changed(newArgs);
    const refusedSpec = structuredClone(job.spec);
    job = written(job, decide(observe(job, 2)));
    job = written(job, decide(observe(job, 12, { planPod: ended(job, 3, unsafe) })));
    const reverted = structuredClone(job);
    reverted.spec.job.args = ['--unbounded'];
    reverted.metadata.generation = 3;
    const d = decide(observe(reverted, 20));
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    expect(d.status.upgrade).toBeUndefined();
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'False' });
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'True', reason: 'UpgradeWithdrawn', message: `The spec is the running one again; spec ${specHash(refusedSpec)} is not rolled out` });
    const again = { ...written(reverted, d), spec: refusedSpec };
    const held = decide(observe(again, 30));
    expect(held.actions).toEqual([]);
    expect(cond(held.status, 'UpgradeSafe')).toMatchObject({ status: 'False', reason: 'StateDropped' });
  });

  it('with allowNonRestoredState the same change is checked again and proceeds, UpgradeSafe still False', () => {
    let job = changed((j) => {
      newArgs(j);
      j.spec.job.allowNonRestoredState = true;
    });
    job = written(job, decide(observe(job, 2)));
    const d = decide(observe(job, 12, { planPod: ended(job, 3, unsafe) }));
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping' });
    expect(d.actions.map((a) => a.kind)).toEqual(['deletePlan', 'cancel']);
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'False', reason: 'StateDropped', message: `${message} (allowNonRestoredState: upgrading without that state)` });
    expect(d.events[0]).toEqual({ type: 'Warning', reason: 'NonRestoredState', message: `Upgrading to spec ${specHash(job.spec)} although ${message} (allowNonRestoredState)` });
  });

  it('state that can never restore holds even with allowNonRestoredState', () => {
    let job = changed((j) => {
      j.spec.job.maxParallelism = 64;
      j.spec.job.allowNonRestoredState = true;
    });
    job = written(job, decide(observe(job, 2)));
    const rescaled = `operator uid "sums" has keyed state in ${chk.path} for maxParallelism 128, the new job has 64; maxParallelism must not change`;
    const d = decide(observe(job, 12, { planPod: ended(job, 3, { ...unsafe, problems: [{ kind: 'max-parallelism-changed', operatorId: 'op-sums', uid: 'sums', message: rescaled }], summary: rescaled }) }));
    expect(d.status.upgrade).toBeUndefined();
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'False', reason: 'StateIncompatible', message: rescaled });
    expect(d.events.map((e) => e.reason)).toEqual(['UpgradeUnsafe']);
  });

  it('a check that failed or never ended holds, saying why', () => {
    let job = changed(newArgs);
    job = written(job, decide(observe(job, 2)));
    const failed = decide(observe(job, 12, { planPod: ended(job, 1, boundedPlanJson({ safe: false, problems: [], error: 'cannot reach S3', summary: 'cannot reach S3' })) }));
    expect(failed.status.upgradeCheck).toMatchObject({ state: 'Failed', message: 'the check exited with 1 (Error): cannot reach S3' });
    expect(cond(failed.status, 'UpgradeSafe')).toMatchObject({ status: 'Unknown', reason: 'CheckFailed' });
    expect(cond(failed.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'UpgradeCheckFailed' });
    expect(failed.status.upgrade).toBeUndefined();
    // A plan that crashed before writing its verdict: the log tail (FallbackToLogsOnError) is the reason.
    const crashed = decide(observe(job, 12, { planPod: ended(job, 1, 'sluice: job module "x.ts" failed while building the pipeline: boom') }));
    expect(crashed.status.upgradeCheck!.message).toBe('the check exited with 1 (Error): sluice: job module "x.ts" failed while building the pipeline: boom');
    const late = decide(observe(job, 2 + PLAN_TIMEOUT_MS / 1000, { planPod: { name: 'p', specHash: specHash(job.spec), terminating: false } }));
    expect(late.status.upgradeCheck).toMatchObject({ state: 'Failed', message: `the plan pod ${job.status!.upgradeCheck!.pod} did not finish within 10 minutes` });
    expect(late.actions).toEqual([{ kind: 'deletePlan', name: 'p' }]);
  });

  it('a run with no state the operator knows of is not checked: nothing to restore', () => {
    let job = exampleStreamJob();
    const fresh: JobObservation = { reachable: true, state: 'RUNNING', restarts: 0 };
    job = written(job, decide(observe(job, 0, { jobManagerPod: undefined, taskManagerPods: [], jobManager: undefined })));
    job = written(job, decide(observe(job, 1, { jobManager: fresh })));
    job = structuredClone(job);
    newArgs(job);
    const d = decide(observe(job, 2, { jobManager: fresh }));
    expect(d.status.upgradeCheck).toBeUndefined();
    expect(d.actions).toEqual([{ kind: 'cancel' }]);
    expect(cond(d.status, 'UpgradeSafe')).toMatchObject({ status: 'True', reason: 'NoStateToRestore' });
  });

  it('a stateless upgrade restores nothing and is not checked', () => {
    const job = changed((j) => {
      newArgs(j);
      j.spec.job.upgradeMode = 'stateless';
    });
    const d = decide(observe(job, 2));
    expect(d.status.upgradeCheck).toBeUndefined();
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', mode: 'stateless' });
  });
});
