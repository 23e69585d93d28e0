import { describe, it, expect } from '@jest/globals';
import { applyActionResult } from '../../../../operator/lifecycle/action-result.ts';
import type { Decision, Observed, PodObservation } from '../../../../operator/lifecycle/decision.ts';
import { decide, resumePoint } from '../../../../operator/lifecycle/lifecycle.ts';
import type { JobObservation } from '../../../../operator/jobmanager/jobmanager-client.ts';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { StreamJobStatus } from '../../../../operator/api/stream-job-status.ts';
import { specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';
import { upgradeChecked } from '../../../support/upgrade-checked.ts';

const now = new Date('2026-11-25T12:00:00Z');
const uid = '6f1c0000-0000-4000-8000-000000000001';
const checkpoint = { id: 7, path: 's3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-7', time: new Date('2026-11-25T11:59:58Z') };
const running: JobObservation = { reachable: true, state: 'RUNNING', restarts: 0, latestCompleted: checkpoint };

function pods(run: number, ready = true): Pick<Observed, 'jobManagerPod' | 'taskManagerPods'> {
  const pod = (name: string): PodObservation => ({ name, ready, run, terminating: false });
  return { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), pod('wordcount-taskmanager-1')] };
}

const noPods = { taskManagerPods: [] };

function observe(job: StreamJob, rest: Partial<Observed> = {}): Observed {
  return { job, now, specHash: specHash(job.spec), problems: [], taskManagerPods: [], ...rest };
}

/** The StreamJob after the decision's status was written. */
function written(job: StreamJob, decision: Decision | StreamJobStatus): StreamJob {
  return { ...job, status: 'status' in decision ? decision.status : decision };
}

const cond = (status: StreamJobStatus, type: string) => status.conditions?.find((c) => c.type === type);

/** A job whose run 1 is deployed and running (JobManager observed RUNNING with checkpoint 7). */
function runningJob(change: (job: StreamJob) => void = () => {}): StreamJob {
  let job = exampleStreamJob();
  job = written(job, decide(observe(job)));
  job = written(job, decide(observe(job, { ...pods(1), jobManager: running })));
  change(job);
  return upgradeChecked(job);
}

describe('lifecycle: deploy and observe', () => {
  it('deploys run 1 of a new StreamJob from initialSavepointPath', () => {
    const job = exampleStreamJob((j) => (j.spec.job.initialSavepointPath = 's3://checkpoints/old/sp-1'));
    const d = decide(observe(job));
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    expect(d.status).toMatchObject({
      phase: 'Deploying',
      observedGeneration: 1,
      jobId: `${uid}-1`,
      run: { number: 1, specHash: specHash(job.spec), restorePath: 's3://checkpoints/old/sp-1', restartNonce: 0, startTime: '2026-11-25T12:00:00Z' },
      savepoints: { observedTriggerNonce: 0 },
      taskManagers: { desired: 2, ready: 0, selector: 'app.kubernetes.io/managed-by=sluice-operator,sluice.dev/job=wordcount,sluice.dev/component=taskmanager' },
      jobManager: { ready: false, restUrl: 'http://wordcount-jobmanager.streaming.svc:8081' },
    });
    expect(cond(d.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'Deploying' });
    expect(d.events).toEqual([{ type: 'Normal', reason: 'Deploying', message: 'Deploying the first run' }]);
  });

  it('reports Running and Ready once the JobManager runs the job with every TaskManager ready', () => {
    const job = runningJob();
    const status = job.status!;
    expect(status).toMatchObject({
      phase: 'Running',
      jobState: 'RUNNING',
      restarts: 0,
      lastCheckpoint: { id: 7, path: checkpoint.path, time: '2026-11-25T11:59:58Z' },
      taskManagers: { desired: 2, ready: 2 },
      jobManager: { ready: true },
    });
    expect(cond(status, 'Ready')).toMatchObject({ status: 'True', reason: 'JobRunning' });
    expect(cond(status, 'CheckpointHealthy')).toMatchObject({ status: 'True', reason: 'CheckpointsCompleting' });
    expect(decide(observe(job, { ...pods(1), jobManager: running })).actions).toEqual([{ kind: 'deploy' }]);
  });

  it('looks again within a second while the JobManager schedules the job, every 5 s once it runs', () => {
    let job = exampleStreamJob();
    job = written(job, decide(observe(job)));
    const scheduling = decide(observe(job, { ...pods(1), jobManager: { reachable: true, state: 'CREATED', restarts: 0 } }));
    expect(scheduling.status).toMatchObject({ phase: 'Deploying', message: 'The job is CREATED' });
    expect(scheduling.requeueAfterMs).toBe(1000);
    expect(decide(observe(written(job, scheduling), { ...pods(1), jobManager: running })).requeueAfterMs).toBe(5000);
  });

  it('reports late checkpoints as CheckpointHealthy False', () => {
    const job = runningJob();
    const later = new Date(now.getTime() + 5 * 60_000);
    const d = decide({ ...observe(job, { ...pods(1), jobManager: running }), now: later });
    expect(cond(d.status, 'CheckpointHealthy')).toMatchObject({ status: 'False', reason: 'CheckpointsLate', message: 'No checkpoint completed in the last 70s' });
  });

  it('gives phase Failed with the reason when the restart strategy is exhausted, and leaves the pods alone', () => {
    const job = runningJob();
    const failed: JobObservation = {
      reachable: true, state: 'FAILED', restarts: 3, latestCompleted: checkpoint,
      rootException: { name: 'Error', message: 'boom in map', time: new Date('2026-11-25T11:59:59Z') },
    };
    const d = decide(observe(job, { ...pods(1), jobManager: failed }));
    expect(d.status.phase).toBe('Failed');
    expect(d.status.message).toBe('The job failed and its restart strategy is exhausted: Error: boom in map');
    expect(d.status.lastFailure).toEqual({ time: '2026-11-25T11:59:59Z', reason: 'Error', message: 'boom in map' });
    expect(cond(d.status, 'Ready')).toMatchObject({ status: 'False', reason: 'JobFailed' });
    expect(d.actions).toEqual([]);
    expect(d.events[0]).toEqual({ type: 'Warning', reason: 'Failed', message: d.status.message });
    expect(decide(observe(written(job, d), { ...pods(1), jobManager: failed })).actions).toEqual([]);
  });

  it('says why while the job restarts: the last failure in the message and the Ready condition', () => {
    const job = runningJob();
    const restarting: JobObservation = {
      reachable: true, state: 'RESTARTING', restarts: 4, latestCompleted: checkpoint,
      rootException: { name: 'Error', message: 'KafkaSource: cannot discover the partitions of "lines" at kafka.kafka:9092: Unknown topic lines.', time: new Date('2026-11-25T11:59:59Z') },
    };
    const d = decide(observe(job, { ...pods(1), jobManager: restarting }));
    const message = 'The job is RESTARTING after: Error: KafkaSource: cannot discover the partitions of "lines" at kafka.kafka:9092: Unknown topic lines.';
    expect(d.status).toMatchObject({ phase: 'Running', message, lastFailure: { time: '2026-11-25T11:59:59Z', reason: 'Error', message: restarting.rootException!.message } });
    expect(cond(d.status, 'Ready')).toMatchObject({ status: 'False', reason: 'JobRestarting', message });
    // Without an exception reported, the state alone.
    expect(decide(observe(job, { ...pods(1), jobManager: { reachable: true, state: 'RESTARTING', restarts: 4 } })).status.message).toBe('The job is RESTARTING');
  });

  it('creates nothing for an invalid spec, and keeps an existing run untouched', () => {
    const problems = [{ reason: 'InsufficientSlots' as const, message: 'job.parallelism 4 needs 4 slots, but ...' }];
    const fresh = decide(observe(exampleStreamJob(), { problems }));
    expect(fresh.actions).toEqual([]);
    expect(fresh.status.phase).toBe('Pending');
    expect(cond(fresh.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'InsufficientSlots', message: problems[0]!.message });
    const job = runningJob((j) => (j.spec.job.parallelism = 4));
    const kept = decide(observe(job, { ...pods(1), jobManager: running, specHash: specHash(job.spec), problems }));
    expect(kept.actions).toEqual([]);
    expect(kept.status.run!.number).toBe(1);
    expect(kept.status.upgrade).toBeUndefined();
  });
});

describe('lifecycle: upgrades', () => {
  it('savepoint mode: stop with savepoint, record it, tear down, deploy run 2 from it', () => {
    let job = runningJob((j) => {
      j.spec.job.upgradeMode = 'savepoint';
      j.spec.job.parallelism = 1;
    });
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toEqual({ step: 'Stopping', mode: 'savepoint', targetSpecHash: specHash(job.spec), startTime: '2026-11-25T12:00:00Z' });
    expect(d.status.phase).toBe('Upgrading');
    expect(d.actions).toEqual([{ kind: 'stopWithSavepoint' }]);
    const result = applyActionResult(d.status, d.actions[0]!, { ok: true, triggerId: 't-1' }, now);
    job = written(job, result.status);
    expect(job.status!.upgrade!.savepointTriggerId).toBe('t-1');

    d = decide(observe(job, { ...pods(1), jobManager: running, savepointTrigger: { status: 'IN_PROGRESS' } }));
    expect(d.actions).toEqual([]);
    expect(d.status.upgrade!.step).toBe('Stopping');

    const location = 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1';
    d = decide(observe(job, { ...pods(1), jobManager: { reachable: true, state: 'FINISHED', restarts: 0 }, savepointTrigger: { status: 'COMPLETED', location } }));
    expect(d.status.upgrade).toEqual({ step: 'TearingDown', mode: 'savepoint', targetSpecHash: specHash(job.spec), restorePath: location, startTime: '2026-11-25T12:00:00Z' });
    expect(d.status.savepoints!.last).toEqual({ path: location, time: '2026-11-25T12:00:00Z', trigger: 'upgrade' });
    expect(d.actions).toEqual([{ kind: 'teardown' }]);
    expect(d.events.map((e) => e.reason)).toContain('SavepointCompleted');
    job = written(job, d);

    d = decide(observe(job, noPods));
    expect(d.status.run).toMatchObject({ number: 2, restorePath: location, specHash: specHash(job.spec) });
    expect(d.status.upgrade!.step).toBe('Deploying');
    expect(d.status.jobId).toBe(`${uid}-2`);
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    job = written(job, d);

    d = decide(observe(job, pods(2, false)));
    expect(d.status.upgrade).toBeUndefined();
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    expect(d.events.map((e) => e.reason)).toContain('Upgraded');
  });

  it('savepoint mode on a restarting job waits for it to run until the checkpoint timeout, then falls back to the run\'s newest verified state and says so', () => {
    const job = runningJob((j) => {
      j.spec.job.upgradeMode = 'savepoint';
      j.spec.image = 'runtime:2';
    });
    const restarting: JobObservation = { reachable: true, state: 'RESTARTING', restarts: 2, latestCompleted: checkpoint };
    let d = decide(observe(job, { ...pods(1), jobManager: restarting }));
    expect(d.actions).toEqual([]);
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'savepoint' });
    expect(cond(d.status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'WaitingForSavepoint',
      message: 'Upgrading (savepoint): waiting to stop the job with a savepoint, retried until the checkpoint timeout: the job is RESTARTING',
    });
    const stopping = written(job, d);
    // Running again within the timeout: the stop is asked for.
    expect(decide({ ...observe(stopping, { ...pods(1), jobManager: running }), now: new Date('2026-11-25T12:00:30Z') }).actions).toEqual([{ kind: 'stopWithSavepoint' }]);
    // Still restarting once the checkpoint timeout (1m) has passed: fall back.
    d = decide({ ...observe(stopping, { ...pods(1), jobManager: restarting }), now: new Date('2026-11-25T12:01:00Z') });
    const message = `No savepoint because the job is RESTARTING; starting from the newest verified checkpoint or savepoint of run 1 in storage (last known: ${checkpoint.path})`;
    expect(d.events).toContainEqual({ type: 'Warning', reason: 'SavepointFallback', message });
    expect(cond(d.status, 'Progressing')).toMatchObject({ status: 'True', reason: 'SavepointFallback', message });
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: checkpoint.path });
    expect(d.actions).toEqual([{ kind: 'teardown' }]);
    // Run 2 looks up run 1's newest verified state in storage before the path last seen.
    const next = decide({ ...observe(written(job, d), noPods), now: new Date('2026-11-25T12:01:01Z') });
    expect(next.status.run).toMatchObject({ number: 2, restorePath: checkpoint.path, restoreFromRun: `${uid}-1` });
  });

  it('savepoint mode asks again when the JobManager refuses stop-with-savepoint or the savepoint fails, and polls an unanswered one, until the checkpoint timeout', () => {
    const job = runningJob((j) => {
      j.spec.job.upgradeMode = 'savepoint';
      j.spec.image = 'runtime:2';
    });
    const d = decide(observe(job, { ...pods(1), jobManager: running }));
    const refused = applyActionResult(d.status, { kind: 'stopWithSavepoint' }, { ok: false, error: 'HTTP 409: already stopping' }, now);
    expect(refused.events).toEqual([]);
    expect(refused.status.upgrade).toMatchObject({ step: 'Stopping', lastError: 'stop-with-savepoint was refused: HTTP 409: already stopping' });
    const retry = decide({ ...observe(written(job, refused.status), { ...pods(1), jobManager: running }), now: new Date('2026-11-25T12:00:10Z') });
    expect(retry.actions).toEqual([{ kind: 'stopWithSavepoint' }]);
    const asked = written(job, applyActionResult(retry.status, { kind: 'stopWithSavepoint' }, { ok: true, triggerId: 't-2' }, now).status);
    expect(asked.status!.upgrade).toEqual({ step: 'Stopping', mode: 'savepoint', targetSpecHash: specHash(job.spec), savepointTriggerId: 't-2', startTime: '2026-11-25T12:00:00Z' });

    // Unanswered (its pod deleted, say): polled again, the upgrade stays in Stopping.
    const at = (time: string, savepointTrigger: Observed['savepointTrigger'], jobManager: JobObservation | undefined = running) =>
      decide({ ...observe(asked, { ...pods(1), ...(jobManager ? { jobManager } : {}), ...(savepointTrigger ? { savepointTrigger } : {}) }), now: new Date(time) });
    const unanswered = at('2026-11-25T12:00:20Z', { status: 'UNREACHABLE', error: 'the JobManager pod is gone' }, undefined);
    expect(unanswered.actions).toEqual([]);
    expect(unanswered.status.upgrade).toMatchObject({ step: 'Stopping', savepointTriggerId: 't-2', lastError: 'the JobManager is unreachable: the JobManager pod is gone' });
    // Failed while the job runs on: the trigger is dropped so that the next look stops it again.
    const failed = at('2026-11-25T12:00:30Z', { status: 'FAILED', cause: 'checkpoint 9 declined' });
    expect(failed.status.upgrade).toMatchObject({ step: 'Stopping', lastError: 'the savepoint failed: checkpoint 9 declined' });
    expect(failed.status.upgrade!.savepointTriggerId).toBeUndefined();
    // Past the checkpoint timeout, unanswered: fall back.
    const late = at('2026-11-25T12:01:00Z', { status: 'UNREACHABLE', error: 'the JobManager pod is gone' }, undefined);
    expect(late.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: checkpoint.path });
    expect(late.events.map((e) => e.reason)).toContain('SavepointFallback');
  });

  it('last-state mode: cancel, then redeploy from the newest completed checkpoint the JobManager reports', () => {
    let job = runningJob((j) => (j.spec.image = 'runtime:2'));
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'last-state' });
    expect(d.actions).toEqual([{ kind: 'cancel' }]);
    job = written(job, d);
    const newer = { ...checkpoint, id: 8, path: checkpoint.path.replace('chk-7', 'chk-8') };
    d = decide(observe(job, { ...pods(1), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: newer } }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: newer.path });
    job = written(job, d);
    d = decide(observe(job, noPods));
    expect(d.status.run).toMatchObject({ number: 2, restorePath: newer.path });
    expect(d.status.lastCheckpoint).toBeUndefined();
  });

  it('last-state mode on a run that has not checkpointed yet restarts from where that run started, never empty', () => {
    const savepoint = 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1';
    let job = exampleStreamJob();
    job.spec.job.initialSavepointPath = savepoint;
    job = written(job, decide(observe(job)));
    const fresh: JobObservation = { reachable: true, state: 'RUNNING', restarts: 0 };
    job = written(job, decide(observe(job, { ...pods(1), jobManager: fresh })));
    expect(job.status!.run).toMatchObject({ number: 1, restorePath: savepoint });
    job.spec.image = 'runtime:2';
    job = written(upgradeChecked(job), decide(observe(upgradeChecked(job), { ...pods(1), jobManager: fresh })));
    const d = decide(observe(job, { ...pods(1), jobManager: { ...fresh, state: 'CANCELED' } }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: savepoint });
  });

  it('stateless mode: tear down and start run 2 empty', () => {
    let job = runningJob((j) => {
      j.spec.job.upgradeMode = 'stateless';
      j.spec.image = 'runtime:2';
    });
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', mode: 'stateless' });
    expect(d.status.upgrade).not.toHaveProperty('restorePath');
    job = written(job, d);
    d = decide(observe(job, noPods));
    expect(d.status.run!.number).toBe(2);
    expect(d.status.run).not.toHaveProperty('restorePath');
  });

  it('restartNonce redeploys in last-state mode whatever the upgradeMode', () => {
    const job = runningJob((j) => {
      j.spec.job.upgradeMode = 'stateless';
      j.spec.job.restartNonce = 1;
    });
    const d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'last-state' });
    expect(d.events).toEqual([{ type: 'Normal', reason: 'Upgrading', message: 'Restarting for restartNonce 1' }]);
    let next = written(job, d);
    next = written(next, decide(observe(next, { ...pods(1), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: checkpoint } })));
    const deployed = decide(observe(next, noPods));
    expect(deployed.status.run).toMatchObject({ number: 2, restartNonce: 1, restorePath: checkpoint.path });
  });

  it('a new leader finds the savepoint of a stop its predecessor requested but did not record', () => {
    const job = runningJob((j) => {
      j.spec.job.upgradeMode = 'savepoint';
      j.spec.image = 'runtime:2';
    });
    const stopping = written(job, { ...job.status!, upgrade: { step: 'Stopping', mode: 'savepoint', targetSpecHash: specHash(job.spec), startTime: '2026-11-25T11:59:00Z' } });
    const stopped: JobObservation = { reachable: true, state: 'FINISHED', restarts: 0, latestCompleted: checkpoint, latestSavepoint: { path: 's3://sp-new', time: new Date('2026-11-25T11:59:30Z') } };
    const d = decide(observe(stopping, { ...pods(1), jobManager: stopped }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: 's3://sp-new' });
    expect(d.status.savepoints!.last).toEqual({ path: 's3://sp-new', time: '2026-11-25T11:59:30Z', trigger: 'upgrade' });
    // A savepoint older than the upgrade is not the one: the newest checkpoint the JobManager reports instead.
    const old = decide(observe(stopping, { ...pods(1), jobManager: { ...stopped, latestSavepoint: { path: 's3://sp-old', time: new Date('2026-11-25T11:00:00Z') } } }));
    expect(old.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: checkpoint.path });
    expect(old.events.map((e) => e.reason)).toContain('SavepointFallback');
  });

  it('waits for a JobManager that ran when the upgrade began rather than start empty, until the checkpoint timeout', () => {
    const job = runningJob((j) => {
      j.spec.job.upgradeMode = 'savepoint';
      j.spec.image = 'runtime:2';
    });
    const { lastCheckpoint: _none, ...status } = job.status!;
    const stopping = written(job, { ...status, upgrade: { step: 'Stopping', mode: 'savepoint', targetSpecHash: specHash(job.spec), startTime: '2026-11-25T11:59:30Z' } });
    const unreachable: JobObservation = { reachable: false, error: 'connect ECONNREFUSED' };
    const waiting = decide(observe(stopping, { ...pods(1), jobManager: unreachable }));
    expect(waiting.actions).toEqual([]);
    expect(waiting.status.upgrade!.step).toBe('Stopping');
    const late = decide({ ...observe(stopping, { ...pods(1), jobManager: unreachable }), now: new Date('2026-11-25T12:00:31Z') });
    expect(late.status.upgrade!.step).toBe('TearingDown');
    expect(late.events.map((e) => e.reason)).toContain('SavepointFallback');
  });

  it('a new leader resumes a half-done upgrade from the status alone', () => {
    // The old leader recorded the stop request, then died: the new one polls it instead of stopping again.
    const job = runningJob((j) => {
      j.spec.job.upgradeMode = 'savepoint';
      j.spec.image = 'runtime:2';
    });
    const stopping = written(job, { ...job.status!, phase: 'Upgrading', upgrade: { step: 'Stopping', mode: 'savepoint', targetSpecHash: specHash(job.spec), savepointTriggerId: 't-9', startTime: '2026-11-25T11:59:00Z' } });
    const polling = decide(observe(stopping, { ...pods(1), jobManager: running, savepointTrigger: { status: 'IN_PROGRESS' } }));
    expect(polling.actions).toEqual([]);
    expect(polling.status.upgrade!.savepointTriggerId).toBe('t-9');
    // It died during tear-down: pods still there are removed, and the restore path recorded is kept.
    const tearing = written(job, { ...job.status!, upgrade: { step: 'TearingDown', mode: 'savepoint', targetSpecHash: specHash(job.spec), restorePath: 's3://sp', startTime: '2026-11-25T11:59:00Z' } });
    const d = decide(observe(tearing, { ...pods(1), jobManager: running }));
    expect(d.actions).toEqual([{ kind: 'teardown' }]);
    expect(decide(observe(written(tearing, d), noPods)).status.run).toMatchObject({ number: 2, restorePath: 's3://sp' });
    // It died after recording run 2 and before creating its pods: deploy again, same run number.
    const deploying = written(job, { ...job.status!, run: { ...job.status!.run!, number: 2 }, upgrade: { step: 'Deploying', mode: 'savepoint', targetSpecHash: specHash(job.spec), startTime: '2026-11-25T11:59:00Z' } });
    const again = decide(observe(deploying, noPods));
    expect(again.actions).toEqual([{ kind: 'deploy' }]);
    expect(again.status.run!.number).toBe(2);
  });
});

describe('lifecycle: suspension and savepoints', () => {
  it('suspends with a savepoint and resumes from it as a new run', () => {
    let job = runningJob((j) => (j.spec.job.state = 'suspended'));
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'savepoint' });
    expect(d.events.map((e) => e.reason)).toEqual(['Suspending']);
    job = written(job, applyActionResult(d.status, d.actions[0]!, { ok: true, triggerId: 't-2' }, now).status);
    d = decide(observe(job, { ...pods(1), savepointTrigger: { status: 'COMPLETED', location: 's3://sp-suspend' } }));
    expect(d.status.savepoints!.last).toMatchObject({ path: 's3://sp-suspend', trigger: 'suspend' });
    job = written(job, d);
    d = decide(observe(job, noPods));
    expect(d.status.phase).toBe('Suspended');
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status.taskManagers!.desired).toBe(0);
    expect(cond(d.status, 'Ready')).toMatchObject({ status: 'True', reason: 'Suspended' });
    expect(d.events.map((e) => e.reason)).toEqual(['Suspended']);
    job = written(job, d);
    job.spec.job.state = 'running';
    d = decide(observe(job, noPods));
    expect(d.status.run).toMatchObject({ number: 2, restorePath: 's3://sp-suspend' });
    expect(d.events.map((e) => e.reason)).toEqual(['Deploying', 'Resumed']);
  });

  it('suspends a stateless job without a savepoint and resumes it empty', () => {
    let job = runningJob((j) => {
      j.spec.job.state = 'suspended';
      j.spec.job.upgradeMode = 'stateless';
    });
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.actions).toEqual([{ kind: 'teardown' }]);
    job = written(job, decide(observe(written(job, d), noPods)));
    expect(job.status!.phase).toBe('Suspended');
    job.spec.job.state = 'running';
    d = decide(observe(job, noPods));
    expect(d.status.run).not.toHaveProperty('restorePath');
  });

  it('a StreamJob created suspended never deploys', () => {
    const d = decide(observe(exampleStreamJob((j) => (j.spec.job.state = 'suspended'))));
    expect(d.status.phase).toBe('Suspended');
    expect(d.status.run).toBeUndefined();
    expect(d.actions).toEqual([{ kind: 'teardown' }]);
  });

  it('takes a savepoint when savepointTriggerNonce changes and records it in the history', () => {
    let job = runningJob((j) => (j.spec.job.savepointTriggerNonce = 4));
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.actions).toEqual([{ kind: 'deploy' }, { kind: 'triggerSavepoint', nonce: 4 }]);
    const triggered = applyActionResult(d.status, d.actions[1]!, { ok: true, triggerId: 't-4' }, now);
    expect(triggered.status.savepoints!.pending).toEqual({ triggerId: 't-4', trigger: 'manual', triggerNonce: 4, startTime: '2026-11-25T12:00:00Z' });
    job = written(job, triggered.status);
    d = decide(observe(job, { ...pods(1), jobManager: running, savepointTrigger: { status: 'IN_PROGRESS' } }));
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    d = decide(observe(job, { ...pods(1), jobManager: running, savepointTrigger: { status: 'COMPLETED', location: 's3://sp-4' } }));
    expect(d.status.savepoints).toEqual({
      observedTriggerNonce: 4,
      last: { path: 's3://sp-4', time: '2026-11-25T12:00:00Z', trigger: 'manual', triggerNonce: 4 },
      history: [{ path: 's3://sp-4', time: '2026-11-25T12:00:00Z', trigger: 'manual', triggerNonce: 4 }],
    });
    expect(decide(observe(written(job, d), { ...pods(1), jobManager: running })).actions).toEqual([{ kind: 'deploy' }]);
  });

  it('a failed savepoint request is reported and not retried for the same nonce', () => {
    const job = runningJob((j) => (j.spec.job.savepointTriggerNonce = 5));
    const d = decide(observe(job, { ...pods(1), jobManager: running }));
    const failed = applyActionResult(d.status, { kind: 'triggerSavepoint', nonce: 5 }, { ok: false, error: 'HTTP 500' }, now);
    expect(failed.events).toEqual([{ type: 'Warning', reason: 'SavepointFailed', message: 'Could not request a savepoint: HTTP 500' }]);
    expect(decide(observe(written(job, failed.status), { ...pods(1), jobManager: running })).actions).toEqual([{ kind: 'deploy' }]);
  });

  it('resumes from the newer of the last savepoint and the last checkpoint', () => {
    const savepoint = { path: 's3://sp', time: '2026-11-25T10:00:00Z', trigger: 'suspend' as const };
    const lastCheckpoint = { id: 3, path: 's3://chk-3', time: '2026-11-25T11:00:00Z' };
    expect(resumePoint({ savepoints: { last: savepoint }, lastCheckpoint }, 'last-state')).toBe('s3://chk-3');
    expect(resumePoint({ savepoints: { last: { ...savepoint, time: '2026-11-25T11:30:00Z' } }, lastCheckpoint }, 'savepoint')).toBe('s3://sp');
    expect(resumePoint({ savepoints: { last: savepoint }, lastCheckpoint }, 'stateless')).toBeUndefined();
  });
});

describe('lifecycle: failures the user must see', () => {
  const crashLooping = (p: PodObservation): PodObservation => ({
    ...p,
    ready: false,
    failure: { container: 'taskmanager', reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=taskmanager pod=wordcount-taskmanager-1_streaming(u1); last exit code 1 (Error) after 2 restarts' },
  });

  it('is Degraded with the kubelet\'s reason while a pod of the run cannot run its container, and says so once in a Warning event', () => {
    const job = runningJob();
    const { jobManagerPod, taskManagerPods } = pods(1);
    const failing = { jobManagerPod, taskManagerPods: [taskManagerPods[0]!, crashLooping(taskManagerPods[1]!)] };
    const d = decide(observe(job, { ...failing, jobManager: running }));
    const message = 'pod wordcount-taskmanager-1 container taskmanager: CrashLoopBackOff: back-off 20s restarting failed container=taskmanager pod=wordcount-taskmanager-1_streaming(u1); last exit code 1 (Error) after 2 restarts';
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'CrashLoopBackOff', message });
    expect(d.events).toEqual([{ type: 'Warning', reason: 'CrashLoopBackOff', message }]);
    // Still failing on the next look: the condition stays, no second event.
    const again = decide(observe(written(job, d), { ...failing, jobManager: running }));
    expect(cond(again.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'CrashLoopBackOff' });
    expect(again.events).toEqual([]);
    // The container runs again: Degraded is lifted.
    const healed = decide(observe(written(job, again), { ...pods(1), jobManager: running }));
    expect(cond(healed.status, 'Degraded')).toMatchObject({ status: 'False', reason: 'SpecValid' });
  });

  it('names every failing pod, image pulls and container configuration included; pods of an old run or terminating do not count', () => {
    const job = runningJob();
    const jm: PodObservation = { name: 'wordcount-jobmanager', ready: false, run: 1, terminating: false, failure: { container: 'jobmanager', reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example.com/sluice:missing"' } };
    const tm: PodObservation = { name: 'wordcount-taskmanager-0', ready: false, run: 1, terminating: false, failure: { container: 'taskmanager', reason: 'CreateContainerConfigError', message: 'configmap "extra" not found' } };
    const old: PodObservation = { ...crashLooping({ name: 'wordcount-taskmanager-1', ready: false, run: 0, terminating: false }) };
    const gone: PodObservation = { ...crashLooping({ name: 'wordcount-taskmanager-2', ready: false, run: 1, terminating: true }) };
    const d = decide(observe(job, { jobManagerPod: jm, taskManagerPods: [tm, old, gone], jobManager: running }));
    expect(cond(d.status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ImagePullBackOff',
      message: 'pod wordcount-jobmanager container jobmanager: ImagePullBackOff: Back-off pulling image "registry.example.com/sluice:missing"; pod wordcount-taskmanager-0 container taskmanager: CreateContainerConfigError: configmap "extra" not found',
    });
  });

  it('records the checkpoints the JobManager skipped on restore, with why, and warns once per change', () => {
    const job = runningJob();
    const skipped = [
      { path: 's3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-9', reason: 'missing file 4f2a/0 (expected 812 bytes)' },
      { path: 's3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-8', reason: '_metadata is not valid JSON' },
    ];
    const restored: JobObservation = { ...running, skippedOnRestore: skipped };
    const d = decide(observe(job, { ...pods(1), jobManager: restored }));
    expect(d.status.skippedCheckpoints).toEqual(skipped);
    expect(d.events).toEqual([
      {
        type: 'Warning',
        reason: 'CheckpointsSkipped',
        message: `Restore skipped 2 completed checkpoints: ${skipped[0]!.path}: ${skipped[0]!.reason}; ${skipped[1]!.path}: ${skipped[1]!.reason}`,
      },
    ]);
    expect(decide(observe(written(job, d), { ...pods(1), jobManager: restored })).events).toEqual([]);
  });

  it('says in CheckpointHealthy that retention fails and how many checkpoints it left behind', () => {
    const job = runningJob();
    const failing: JobObservation = {
      ...running,
      retentionFailure: { failures: 3, time: new Date('2026-11-25T11:59:59Z'), checkpointsLeftBehind: 4, message: 'S3 bucket "checkpoints": delete failed: InvalidRequest: Missing required header for this request: Content-MD5 (HTTP 400)' },
    };
    expect(cond(decide(observe(job, { ...pods(1), jobManager: failing })).status, 'CheckpointHealthy')).toMatchObject({
      status: 'True',
      reason: 'CheckpointsCompleting',
      message: 'Checkpoint 7 completed at 2026-11-25T11:59:58Z; retention failed 3 times, last at 2026-11-25T11:59:59Z leaving 4 checkpoints behind: S3 bucket "checkpoints": delete failed: InvalidRequest: Missing required header for this request: Content-MD5 (HTTP 400)',
    });
  });
});

describe('lifecycle: scaling (the scale subresource\'s replicas are spec.job.parallelism, its status replicas status.parallelism)', () => {
  /** Run 1 at parallelism 2 running, then `kubectl scale --replicas=4`. */
  const scaledJob = (upgradeMode: StreamJob['spec']['job']['upgradeMode']) =>
    runningJob((j) => {
      j.spec.job.upgradeMode = upgradeMode;
      delete j.spec.taskManager.replicas;
      j.spec.job.parallelism = 4;
    });

  it('records the run\'s parallelism at deploy and reports it as running once the JobManager runs the job', () => {
    let job = exampleStreamJob();
    let d = decide(observe(job));
    expect(d.status.run!.parallelism).toBe(2);
    expect(d.status.parallelism).toBeUndefined();
    job = written(job, d);
    d = decide(observe(job, { ...pods(1), jobManager: { reachable: true, state: 'CREATED', restarts: 0 } }));
    expect(d.status.parallelism).toBeUndefined();
    d = decide(observe(written(job, d), { ...pods(1), jobManager: running }));
    expect(d.status.parallelism).toBe(2);
    // Kept while the run restarts; gone once it failed.
    d = decide(observe(written(job, d), { ...pods(1), jobManager: { reachable: true, state: 'RESTARTING', restarts: 1 } }));
    expect(d.status.parallelism).toBe(2);
    d = decide(observe(written(job, d), { ...pods(1), jobManager: { reachable: true, state: 'FAILED', restarts: 1 } }));
    expect(d.status.parallelism).toBeUndefined();
  });

  it('savepoint mode: a parallelism change stops with a savepoint and deploys run 2 at the new parallelism from it, on ceil(parallelism / slots) TaskManagers; status.parallelism changes only once run 2 runs', () => {
    let job = scaledJob('savepoint');
    let d = decide(observe(job, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'savepoint', targetSpecHash: specHash(job.spec) });
    expect(d.actions).toEqual([{ kind: 'stopWithSavepoint' }]);
    expect(d.status.parallelism).toBe(2);
    expect(d.status.taskManagers!.desired).toBe(4);
    job = written(job, applyActionResult(d.status, d.actions[0]!, { ok: true, triggerId: 't-1' }, now).status);

    const location = 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1';
    d = decide(observe(job, { ...pods(1), jobManager: { reachable: true, state: 'FINISHED', restarts: 0 }, savepointTrigger: { status: 'COMPLETED', location } }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: location });
    expect(d.status.parallelism).toBeUndefined();
    job = written(job, d);

    d = decide(observe(job, noPods));
    expect(d.status.run).toMatchObject({ number: 2, parallelism: 4, restorePath: location, restoreFromRun: `${uid}-1` });
    expect(d.status.parallelism).toBeUndefined();
    expect(d.actions).toEqual([{ kind: 'deploy' }]);
    job = written(job, d);

    const run2 = (ready: boolean): Pick<Observed, 'jobManagerPod' | 'taskManagerPods'> => {
      const pod = (name: string): PodObservation => ({ name, ready, run: 2, terminating: false });
      return { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [0, 1, 2, 3].map((i) => pod(`wordcount-taskmanager-${i}`)) };
    };
    d = decide(observe(job, run2(false)));
    expect(d.status.upgrade).toBeUndefined();
    job = written(job, d);
    d = decide(observe(job, { ...run2(false), jobManager: { reachable: true, state: 'CREATED', restarts: 0 } }));
    expect(d.status.parallelism).toBeUndefined();
    d = decide(observe(written(job, d), { ...run2(true), jobManager: running }));
    expect(d.status).toMatchObject({ phase: 'Running', parallelism: 4, taskManagers: { desired: 4, ready: 4 } });
  });

  it('last-state mode cancels and redeploys from the newest checkpoint; stateless redeploys with empty state', () => {
    const lastState = scaledJob('last-state');
    let d = decide(observe(lastState, { ...pods(1), jobManager: running }));
    expect(d.actions).toEqual([{ kind: 'cancel' }]);
    d = decide(observe(written(lastState, d), { ...pods(1), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: checkpoint } }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', restorePath: checkpoint.path });
    d = decide(observe(written(lastState, d), noPods));
    expect(d.status.run).toMatchObject({ number: 2, parallelism: 4, restorePath: checkpoint.path, restoreFromRun: `${uid}-1` });

    const stateless = scaledJob('stateless');
    d = decide(observe(stateless, { ...pods(1), jobManager: running }));
    expect(d.status.upgrade).toMatchObject({ step: 'TearingDown', mode: 'stateless' });
    expect(d.actions).toEqual([{ kind: 'teardown' }]);
    d = decide(observe(written(stateless, d), noPods));
    expect(d.status.run).toMatchObject({ number: 2, parallelism: 4 });
    expect(d.status.run!.restorePath).toBeUndefined();
    expect(d.status.run!.restoreFromRun).toBeUndefined();
  });

  it('reports the spec\'s parallelism for a run deployed without a recorded one, only while the spec is the run\'s', () => {
    const job = runningJob((j) => delete j.status!.run!.parallelism);
    expect(decide(observe(job, { ...pods(1), jobManager: running })).status.parallelism).toBe(2);
    const changed = runningJob((j) => {
      delete j.status!.run!.parallelism;
      delete j.status!.parallelism;
      j.spec.job.parallelism = 4;
    });
    const problems = [{ reason: 'InsufficientSlots' as const, message: 'job.parallelism 4 needs 4 slots, but taskManager.replicas 2 × taskManager.slots 1 offer 2' }];
    expect(decide(observe(changed, { ...pods(1), jobManager: running, problems })).status.parallelism).toBeUndefined();
  });
});
