// The example StreamJob in each state a GitOps tool tells apart, each status written by the operator's
// own lifecycle (decide) from what it would observe, for tests of what those tools read from it.
import type { JobObservation } from '../../operator/jobmanager/jobmanager-client.ts';
import type { Observed, PodObservation } from '../../operator/lifecycle/decision.ts';
import { decide } from '../../operator/lifecycle/lifecycle.ts';
import type { StreamJob } from '../../operator/api/stream-job.ts';
import { specHash } from '../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from './stream-job-fixture.ts';

export const STATES_NOW = new Date('2026-11-25T12:00:00Z');
const checkpoint = { id: 7, path: 's3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-7', time: new Date('2026-11-25T11:59:58Z') };
const running: JobObservation = { reachable: true, state: 'RUNNING', restarts: 0, latestCompleted: checkpoint };

function pods(run: number, ready = true, failure?: PodObservation['failure']): Pick<Observed, 'jobManagerPod' | 'taskManagerPods'> {
  const pod = (name: string): PodObservation => ({ name, ready, run, terminating: false });
  const last = { ...pod('wordcount-taskmanager-1'), ...(failure ? { ready: false, failure } : {}) };
  return { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), last] };
}

function step(job: StreamJob, rest: Partial<Observed> = {}): StreamJob {
  const observed: Observed = { job, now: STATES_NOW, specHash: specHash(job.spec), problems: [], taskManagerPods: [], ...rest };
  return { ...job, status: decide(observed).status };
}

const deploying = () => step(exampleStreamJob());
const runningWith = (jobManager: JobObservation, more: Partial<Observed> = {}) => step(deploying(), { ...pods(1), jobManager, ...more });

/** The running job after someone changed its spec (generation 2), before the operator looked at it. */
function runningThenChanged(change: (job: StreamJob) => void): StreamJob {
  const job = runningWith(running);
  change(job);
  job.metadata.generation = 2;
  return job;
}

/** Each state by name: the StreamJob as the API server would return it after the operator wrote its status. */
export const STREAM_JOB_STATES = {
  created: () => exampleStreamJob(),
  deploying,
  waitingForFirstCheckpoint: () => runningWith({ reachable: true, state: 'RUNNING', restarts: 0 }),
  running: () => runningWith(running),
  // 100 s after checkpoint 7: past CheckpointHealthy's 2 intervals + timeout (70 s), within the health check's window (120 s).
  checkpointsLate: () => step(runningWith(running), { ...pods(1), jobManager: running, now: new Date(STATES_NOW.getTime() + 100_000) }),
  // 300 s after checkpoint 7: past the health check's checkpoint progress window (120 s), redeployed last-state.
  redeployingForHealth: () => step(runningWith(running), { ...pods(1), jobManager: running, now: new Date(STATES_NOW.getTime() + 300_000) }),
  taskManagerNotReady: () => step(deploying(), { jobManagerPod: pods(1).jobManagerPod, taskManagerPods: [pods(1).taskManagerPods[0]!], jobManager: running }),
  restarting: () => step(runningWith(running), { ...pods(1), jobManager: { ...running, state: 'RESTARTING', restarts: 1 } }),
  // A stateless upgrade: a stateful one first checks the new spec against the state (lifecycle/upgrade-check.ts).
  upgrading: () => {
    const job = runningThenChanged((j) => {
      j.spec.job.upgradeMode = 'stateless';
      j.spec.job.parallelism = 1;
    });
    return step(job, { ...pods(1), jobManager: running });
  },
  // A stateful upgrade first runs the upgrade check (lifecycle/upgrade-check.ts) while the old run keeps running.
  checkingUpgrade: () => step(runningThenChanged((j) => (j.spec.job.args = ['--sums-uid=renamed'])), { ...pods(1), jobManager: running }),
  // The check found that the new spec would drop state: the upgrade is held, the old run keeps running.
  upgradeHeld: () => {
    const job = runningThenChanged((j) => (j.spec.job.args = ['--sums-uid=renamed']));
    job.status = {
      ...job.status!,
      upgradeCheck: {
        specHash: specHash(job.spec),
        state: 'Unsafe',
        message: 'the state of operator sums would be dropped',
        problems: [{ kind: 'state-dropped', operatorId: 'a1b2c3', uid: 'sums' }],
        startTime: '2026-11-25T11:59:00Z',
      },
    };
    return step(job, { ...pods(1), jobManager: running });
  },
  specNotObserved: () => runningThenChanged((j) => (j.spec.job.parallelism = 1)),
  suspended: () => step(exampleStreamJob((j) => (j.spec.job.state = 'suspended'))),
  failed: () =>
    step(runningWith(running), {
      ...pods(1),
      jobManager: { ...running, state: 'FAILED', restarts: 3, rootException: { name: 'Error', message: 'boom in map', time: new Date('2026-11-25T11:59:59Z') } },
    }),
  finished: () => step(runningWith(running), { ...pods(1), jobManager: { ...running, state: 'FINISHED' } }),
  invalidSpec: () => step(exampleStreamJob(), { problems: [{ reason: 'InsufficientSlots', message: 'job.parallelism 4 needs 4 slots, but taskManager.replicas 2 × taskManager.slots 1 offer 2' }] }),
  // Held after a rollback (lifecycle/rollback.ts): the failed spec is the spec, run 1 of the last stable one runs.
  rolledBack: () => {
    const job = runningThenChanged((j) => (j.spec.job.args = ['--fail']));
    const stable = job.status!.run!.specHash;
    job.status = {
      ...job.status!,
      rollback: { state: 'RolledBack', failedSpecHash: specHash(job.spec), failedRun: 2, specHash: stable, reason: 'run 2 was not stable within 1m', startTime: '2026-11-25T11:58:00Z' },
    };
    return step(job, { ...pods(1), jobManager: running });
  },
  crashLooping: () =>
    step(deploying(), {
      ...pods(1, true, { container: 'taskmanager', reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=taskmanager; last exit code 1 (Error) after 2 restarts' }),
      jobManager: running,
    }),
} satisfies Record<string, () => StreamJob>;

export type StreamJobState = keyof typeof STREAM_JOB_STATES;
