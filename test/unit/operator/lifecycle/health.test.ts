import { describe, it, expect } from '@jest/globals';
import type { Decision, Observed, PodObservation } from '../../../../operator/lifecycle/decision.ts';
import { checkpointProgressWindowMs, redeployBackoffMs } from '../../../../operator/lifecycle/health.ts';
import { decide } from '../../../../operator/lifecycle/lifecycle.ts';
import type { JobObservation } from '../../../../operator/jobmanager/jobmanager-client.ts';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { StreamJobStatus } from '../../../../operator/api/stream-job-status.ts';
import { specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';
import { upgradeChecked } from '../../../support/upgrade-checked.ts';

const uid = '6f1c0000-0000-4000-8000-000000000001';
const t0 = Date.parse('2026-11-25T12:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);
const jmStart = at(-5);
const checkpoint = (id: number, seconds: number) => ({ id, path: `s3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-${id}`, time: at(seconds) });
const cond = (status: StreamJobStatus, type: string) => status.conditions?.find((c) => c.type === type);

function pods(run: number): Pick<Observed, 'jobManagerPod' | 'taskManagerPods'> {
  const pod = (name: string): PodObservation => ({ name, ready: true, run, terminating: false });
  return { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), pod('wordcount-taskmanager-1')] };
}

/** A StreamJob driven through decide(), each decision's status written back as the reconciler does. */
class Scenario {
  job: StreamJob;
  last!: Decision;

  constructor(change: (job: StreamJob) => void) {
    this.job = exampleStreamJob(change);
    this.step(at(-10), { taskManagerPods: [] });
  }

  step(now: Date, rest: Partial<Observed>): Decision {
    this.last = decide({ job: this.job, now, specHash: specHash(this.job.spec), problems: [], taskManagerPods: [], ...rest });
    this.job = { ...this.job, status: this.last.status };
    return this.last;
  }

  /** The current run's JobManager reports `jm` (its pods ready). */
  observe(seconds: number, jm: Partial<Extract<JobObservation, { reachable: true }>>): Decision {
    const run = this.job.status!.run!.number;
    return this.step(at(seconds), { ...pods(run), jobManager: { reachable: true, state: 'RUNNING', restarts: 0, startTime: jmStart, latestCompleted: checkpoint(1, seconds - 1), ...jm } });
  }

  /** The redeploy's last-state upgrade: the cancelled run torn down, the next deployed. */
  redeploy(seconds: number): Decision {
    this.step(at(seconds), { ...pods(this.job.status!.run!.number), jobManager: { reachable: true, state: 'CANCELED', restarts: 0, latestCompleted: checkpoint(1, seconds - 1) } });
    this.step(at(seconds + 1), { taskManagerPods: [] });
    return this.step(at(seconds + 2), pods(this.job.status!.run!.number));
  }
}

const restartCheck = (threshold: number, window: string) => (job: StreamJob) => {
  job.spec.job.healthCheck.restarts = { enabled: true, threshold, window };
};

describe('health check: too many restarts', () => {
  it('redeploys last-state from the newest verified checkpoint once restarts within the window pass the threshold, and says so in a Warning event and Degraded', () => {
    const s = new Scenario(restartCheck(2, '1m'));
    s.observe(0, { restarts: 0 });
    s.observe(10, { restarts: 1, state: 'RESTARTING' });
    expect(s.observe(20, { restarts: 2 }).status.upgrade).toBeUndefined();
    const d = s.observe(30, { restarts: 3 });
    const message = 'Redeploying from the newest verified checkpoint (redeploy 1 for health): The job restarted 3 times within 1m, more than healthCheck.restarts.threshold 2';
    expect(d.events).toEqual([{ type: 'Warning', reason: 'HealthRedeploy', message }]);
    expect(d.actions).toEqual([{ kind: 'cancel' }]);
    expect(d.status.upgrade).toMatchObject({ step: 'Stopping', mode: 'last-state' });
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'TooManyRestarts', message });
    expect(d.status.health).toEqual({ run: 1, redeploys: 1, lastRedeploy: { time: '2026-11-25T12:00:30Z', specHash: specHash(s.job.spec), reason: 'TooManyRestarts', message } });

    const deployed = s.redeploy(31);
    expect(deployed.status.run).toMatchObject({ number: 2, restorePath: checkpoint(1, 30).path, restoreFromRun: `${uid}-1` });
    // Degraded through the redeploy and after, until the job has been healthy for a window.
    expect(cond(deployed.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'TooManyRestarts' });
    const running = s.observe(40, { restarts: 0, startTime: at(35) });
    expect(running.status).toMatchObject({ restarts: 0, health: { run: 2, redeploys: 1, runningSince: '2026-11-25T12:00:40Z' } });
    expect(cond(running.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'TooManyRestarts' });
  });

  it('counts only the restarts within the window', () => {
    const s = new Scenario(restartCheck(2, '1m'));
    s.observe(0, { restarts: 0 });
    for (let i = 1; i <= 6; i++) expect(s.observe(i * 40, { restarts: i }).status.upgrade).toBeUndefined();
    expect(s.job.status!.health!.restarts).toEqual([
      { time: '2026-11-25T12:03:20Z', count: 1 },
      { time: '2026-11-25T12:04:00Z', count: 1 },
    ]);
    // A third within the minute is one too many.
    expect(s.observe(250, { restarts: 7 }).status.upgrade).toMatchObject({ mode: 'last-state' });
  });

  it('counts the restarts of a replaced JobManager with those of the one before', () => {
    const s = new Scenario(restartCheck(4, '5m'));
    s.observe(0, { restarts: 0 });
    s.observe(10, { restarts: 4 });
    // The new JobManager starts from 0: the run has restarted 4 times, 5 with its first.
    const replaced = s.observe(30, { restarts: 0, startTime: at(25) }).status;
    expect(replaced.restarts).toBe(4);
    expect(replaced.upgrade).toBeUndefined();
    const d = s.observe(40, { restarts: 1, startTime: at(25) });
    expect(d.status.restarts).toBe(5);
    expect(d.events.map((e) => e.reason)).toEqual(['HealthRedeploy']);
  });

  it('is off by default', () => {
    const s = new Scenario(() => {});
    s.observe(0, { restarts: 0 });
    const d = s.observe(10, { restarts: 500 });
    expect(d.status.upgrade).toBeUndefined();
    expect(d.status.health).toEqual({ run: 1, runningSince: '2026-11-25T12:00:00Z' });
  });
});

describe('health check: checkpoint progress', () => {
  // The example checkpoints every 5s with the default timeout of 1m: the window is at least 2m.
  const stalled = { latestCompleted: checkpoint(1, 0) };

  it('redeploys a RUNNING job that completed no checkpoint for longer than the window, counted from when it was seen RUNNING', () => {
    const s = new Scenario(() => {});
    // Restarting until 100 s: not RUNNING, so not stalled, though its last checkpoint is old.
    s.observe(0, stalled);
    s.observe(5, { ...stalled, state: 'RESTARTING' });
    expect(s.observe(100, { ...stalled, state: 'RESTARTING' }).status.health).toEqual({ run: 1 });
    expect(s.observe(105, stalled).status.health?.runningSince).toBe('2026-11-25T12:01:45Z');
    expect(s.observe(225, stalled).status.upgrade).toBeUndefined();
    const d = s.observe(226, stalled);
    const message = `Redeploying from the newest verified checkpoint (redeploy 1 for health): The job completed no checkpoint for 121s, longer than the checkpoint progress window of 120s (last: ${checkpoint(1, 0).path})`;
    expect(d.events).toEqual([{ type: 'Warning', reason: 'HealthRedeploy', message }]);
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'CheckpointStalled', message });
  });

  it('is not stalled while checkpoints complete, nor when disabled', () => {
    const s = new Scenario(() => {});
    for (let t = 0; t <= 600; t += 60) expect(s.observe(t, {}).status.upgrade).toBeUndefined();
    const off = new Scenario((job) => (job.spec.job.healthCheck.checkpointProgress.enabled = false));
    off.observe(0, stalled);
    expect(off.observe(600, stalled).status.upgrade).toBeUndefined();
  });

  it('takes a window shorter than twice the longer of interval and timeout as that', () => {
    const job = exampleStreamJob((j) => (j.spec.job.healthCheck.checkpointProgress.window = '30s'));
    expect(checkpointProgressWindowMs(job.spec.job.healthCheck, job.spec.checkpointing)).toBe(120_000);
    job.spec.job.healthCheck.checkpointProgress.window = '10m';
    expect(checkpointProgressWindowMs(job.spec.job.healthCheck, job.spec.checkpointing)).toBe(600_000);
  });
});

describe('health check: backoff', () => {
  it('doubles the wait between redeploys that do not help, up to the maximum', () => {
    const health = exampleStreamJob().spec.job.healthCheck;
    expect([1, 2, 3, 4, 5, 6, 7, 40].map((n) => redeployBackoffMs(health, n) / 60_000)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });

  it('waits out the backoff when the redeployed run is unhealthy again (Degraded and one event say until when), then redeploys; a healthy window forgets it', () => {
    const s = new Scenario(restartCheck(0, '1m'));
    s.observe(0, { restarts: 0 });
    expect(s.observe(5, { restarts: 1 }).status.upgrade).toBeDefined();
    s.redeploy(6);
    s.observe(10, { restarts: 0, startTime: at(9) });
    // Run 2 restarts within the minute of backoff: held.
    let d = s.observe(20, { restarts: 1, startTime: at(9) });
    const message = 'The job restarted 1 time within 1m, more than healthCheck.restarts.threshold 0; 1 redeploy for health did not help: the next not before 2026-11-25T12:01:05Z';
    expect(d.status.upgrade).toBeUndefined();
    expect(d.events).toEqual([{ type: 'Warning', reason: 'HealthRedeployBackoff', message }]);
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'True', reason: 'HealthRedeployBackoff', message });
    d = s.observe(30, { restarts: 1, startTime: at(9) });
    expect(d.events).toEqual([]);
    expect(cond(d.status, 'Degraded')?.reason).toBe('HealthRedeployBackoff');
    // Past the backoff, and restarting again: the second redeploy, after which the next waits 2m.
    d = s.observe(65, { restarts: 2, startTime: at(9) });
    expect(d.events.map((e) => e.reason)).toEqual(['HealthRedeploy']);
    expect(d.status.health).toMatchObject({ redeploys: 2, lastRedeploy: { time: '2026-11-25T12:01:05Z' } });
    s.redeploy(66);
    // Run 3 stays healthy for the backoff (2m, longer than the windows): the redeploys helped.
    s.observe(70, { restarts: 0, startTime: at(69) });
    expect(cond(s.observe(184, { restarts: 0, startTime: at(69) }).status, 'Degraded')?.status).toBe('True');
    d = s.observe(185, { restarts: 0, startTime: at(69) });
    expect(d.events).toEqual([{ type: 'Normal', reason: 'HealthRecovered', message: 'The job stayed healthy after 2 redeploys for its health' }]);
    expect(cond(d.status, 'Degraded')).toMatchObject({ status: 'False', reason: 'SpecValid' });
    expect(d.status.health).toEqual({ run: 3, runningSince: '2026-11-25T12:01:10Z' });
  });

  it('starts afresh for a new spec', () => {
    const s = new Scenario(restartCheck(0, '1m'));
    s.observe(0, { restarts: 0 });
    s.observe(5, { restarts: 1 });
    s.redeploy(6);
    s.job = upgradeChecked({ ...s.job, spec: { ...s.job.spec, image: 'runtime:2' } });
    s.observe(10, { restarts: 0, startTime: at(9) });
    s.redeploy(11);
    expect(s.job.status!.run!.number).toBe(3);
    const d = s.observe(20, { restarts: 1, startTime: at(15) });
    expect(d.events.map((e) => e.reason)).toEqual(['HealthRedeploy']);
    expect(d.status.health).toMatchObject({ redeploys: 1 });
  });
});
