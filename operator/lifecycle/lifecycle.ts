import { durationMs, rfc3339 } from '../api/time.ts';
import { checkHealth, degradedByRedeploy } from './health.ts';
import type { UpgradeMode } from '../api/stream-job-spec.ts';
import type { SavepointTrigger, StreamJobStatus } from '../api/stream-job-status.ts';
import { taskManagerSelector } from '../resources/labels.ts';
import { taskManagerReplicas } from '../resources/task-manager-replicas.ts';
import { jobId, jobManagerAddress, REST_PORT } from '../resources/runtime-config.ts';
import { Builder, POLL_INTERVAL_MS, TRANSITION_INTERVAL_MS, type Decision, type EventSpec, type Observed, type PodObservation } from './decision.ts';
import { observeRun } from './observe-run.ts';
import { podFailures } from './pod-failures.ts';
import { checkUpgrade, upgradeWithdrawn } from './upgrade-check.ts';
import { manualSavepoint, recordSavepoint } from './savepoints.ts';
import { periodicSavepoint } from './periodic-savepoints.ts';
import { savepointHistory } from './savepoint-history.ts';
import { holdsFailedSpec, recordStableSpec, rollbackDue, rollbackTarget, rolledBack, rollingBack, startRollback } from './rollback.ts';
import { runSpec } from './run-spec.ts';

const TERMINAL_STATES = new Set(['FAILED', 'CANCELED', 'FINISHED', 'SUSPENDED']);

/**
 * The StreamJob lifecycle as a pure function: from what the reconciler observed (the StreamJob with
 * its status, the pods, the JobManager's answers) to the next status and the steps to take. Every
 * step of an upgrade or suspension is recorded in `status.upgrade` before it is acted on, so a new
 * leader resumes a half-done upgrade from the status alone.
 */
export function decide(o: Observed): Decision {
  const { job } = o;
  const b = new Builder(o, observedBasics(o));
  if (o.problems.length > 0) {
    const message = o.problems.map((p) => p.message).join('; ');
    b.condition('Degraded', 'True', o.problems[0]!.reason, message);
    if (b.status.run === undefined) {
      b.phase('Pending', `Not deployed: ${message}`);
      b.condition('Ready', 'False', 'InvalidSpec', message);
      b.condition('Progressing', 'False', 'InvalidSpec', message);
    }
    // A run that exists keeps running untouched: an invalid change is not rolled out.
    b.requeueAfterMs = POLL_INTERVAL_MS;
    if (b.status.run !== undefined && b.status.phase !== 'Suspended') observeRun(b);
    return b.decision();
  }
  podFailures(b);
  degradedByRedeploy(b);

  if (b.status.upgrade !== undefined) {
    continueUpgrade(b);
    rollingBack(b);
    return b.decision();
  }
  const run = b.status.run;
  if (job.spec.job.state === 'suspended') {
    if (run === undefined || b.status.phase === 'Suspended') {
      suspended(b);
    } else {
      startUpgrade(b, job.spec.job.upgradeMode === 'stateless' ? 'stateless' : 'savepoint', 'Suspending the job');
    }
    return b.decision();
  }
  if (run === undefined) {
    deployRun(b, 1, job.spec.job.initialSavepointPath, 'Deploying the first run');
    b.status = { ...b.status, savepoints: { ...b.status.savepoints, observedTriggerNonce: job.spec.job.savepointTriggerNonce } };
    return b.decision();
  }
  if (b.status.phase === 'Suspended') {
    const from = resumePoint(b.status, job.spec.job.upgradeMode);
    const previous = job.spec.job.upgradeMode === 'stateless' ? undefined : jobId(job, run.number);
    deployRun(b, run.number + 1, from, from ? `Resuming from ${from}` : 'Resuming with empty state', previous);
    b.event('Normal', 'Resumed', b.status.message!);
    return b.decision();
  }
  if (o.specHash !== run.specHash && !holdsFailedSpec(b)) {
    if (checkUpgrade(b) === 'hold') return b.decision();
    startUpgrade(b, job.spec.job.upgradeMode, `Upgrading to spec ${o.specHash} (upgradeMode ${job.spec.job.upgradeMode})`);
    return b.decision();
  }
  upgradeWithdrawn(b);
  const rollback = rollbackDue(b);
  if (rollback !== undefined) {
    startRollback(b, rollback);
    continueUpgrade(b);
    rollingBack(b);
    return b.decision();
  }
  if (job.spec.job.restartNonce !== (run.restartNonce ?? 0)) {
    startUpgrade(b, 'last-state', `Restarting for restartNonce ${job.spec.job.restartNonce}`);
    return b.decision();
  }
  if (b.status.phase === 'Failed' || b.status.phase === 'Finished') {
    // Only a spec change or a restartNonce redeploys a job that failed or finished.
    b.requeueAfterMs = POLL_INTERVAL_MS;
    rolledBack(b);
    return b.decision();
  }
  // A job that failed or finished keeps its pods as they are, for its logs.
  if (observeRun(b) === 'live') {
    if (checkHealth(b) === 'redeploy') {
      startUpgrade(b, 'last-state', b.status.health!.lastRedeploy!.message, { type: 'Warning', reason: 'HealthRedeploy' });
      return b.decision();
    }
    b.actions.unshift({ kind: 'deploy' });
  }
  recordStableSpec(b);
  rolledBack(b);
  manualSavepoint(b);
  periodicSavepoint(b);
  savepointHistory(b);
  return b.decision();
}

/** What is true whatever the step: job id, readiness counts, the JobManager's URL, observedGeneration. */
function observedBasics(o: Observed): StreamJobStatus {
  const status = structuredClone(o.job.status ?? {});
  const name = o.job.metadata.name!;
  const suspended = o.job.spec.job.state === 'suspended';
  const run = status.run?.number;
  const current = (pod: PodObservation) => pod.run === run && !pod.terminating;
  return {
    ...status,
    observedGeneration: o.job.metadata.generation ?? 0,
    ...(status.run ? { jobId: jobId(o.job, status.run.number) } : {}),
    jobManager: {
      ready: o.jobManagerPod !== undefined && current(o.jobManagerPod) && o.jobManagerPod.ready,
      restUrl: `http://${jobManagerAddress(o.job)}:${REST_PORT}`,
    },
    taskManagers: {
      desired: suspended ? 0 : taskManagerReplicas(runSpec(o.job, status.run)),
      ready: o.taskManagerPods.filter((p) => current(p) && p.ready).length,
      selector: taskManagerSelector(name),
    },
  };
}

/** `restoreFromRun`: the previous run's job id, when the run keeps its state (runtime `job.restoreFromRun`). */
function deployRun(b: Builder, number: number, restorePath: string | undefined, message: string, restoreFromRun?: string): void {
  const { job, now } = b.o;
  const { upgrade: _done, lastCheckpoint: _previousRun, jobState: _previousState, skippedCheckpoints: _previousRestore, parallelism: _previousParallelism, ...rest } = b.status;
  // A rollback, and every redeploy while the failed spec is held, deploys the last stable spec.
  const stable = rollbackTarget(b.status, b.o.specHash);
  b.status = {
    ...rest,
    jobId: jobId(job, number),
    run: {
      number,
      specHash: stable?.specHash ?? b.o.specHash,
      ...(stable === undefined ? {} : { spec: stable.spec }),
      ...(restorePath === undefined ? {} : { restorePath }),
      ...(restoreFromRun === undefined ? {} : { restoreFromRun }),
      restartNonce: job.spec.job.restartNonce,
      parallelism: runSpec(job, stable).job.parallelism,
      startTime: rfc3339(now),
    },
  };
  b.phase('Deploying', message);
  b.condition('Progressing', 'True', 'Deploying', message);
  b.condition('Ready', 'False', 'Deploying', message);
  b.actions.push({ kind: 'deploy' });
  b.requeueAfterMs = TRANSITION_INTERVAL_MS;
}

function startUpgrade(
  b: Builder,
  mode: UpgradeMode,
  message: string,
  event: Pick<EventSpec, 'type' | 'reason'> = { type: 'Normal', reason: b.o.job.spec.job.state === 'suspended' ? 'Suspending' : 'Upgrading' },
): void {
  b.status = {
    ...b.status,
    upgrade: { step: 'Stopping', mode, targetSpecHash: b.o.specHash, startTime: rfc3339(b.o.now) },
  };
  b.event(event.type, event.reason, message);
  continueUpgrade(b);
}

function continueUpgrade(b: Builder): void {
  const upgrade = b.status.upgrade!;
  const suspending = b.o.job.spec.job.state === 'suspended';
  b.phase('Upgrading', suspending ? 'Suspending: stopping the job' : `Upgrading (${upgrade.mode ?? 'last-state'}): ${upgrade.step}`);
  b.condition('Progressing', 'True', suspending ? 'Suspending' : 'Upgrading', b.status.message!);
  b.condition('Ready', 'False', suspending ? 'Suspending' : 'Upgrading', b.status.message!);
  b.requeueAfterMs = TRANSITION_INTERVAL_MS;
  if (upgrade.step === 'Stopping') stopping(b);
  if (b.status.upgrade?.step === 'TearingDown') tearingDown(b);
  else if (b.status.upgrade?.step === 'Deploying') deploying(b);
}

function stopping(b: Builder): void {
  const upgrade = b.status.upgrade!;
  const jm = b.o.jobManager;
  const running = jm?.reachable === true && jm.state === 'RUNNING';
  switch (upgrade.mode ?? 'last-state') {
    case 'stateless':
      toTearDown(b, undefined);
      return;
    case 'last-state': {
      if (jm?.reachable === true && !TERMINAL_STATES.has(jm.state)) {
        // Cancelled first, so no checkpoint completes after the one the next run starts from.
        b.actions.push({ kind: 'cancel' });
        return;
      }
      toTearDown(b, newestRestorePoint(b));
      return;
    }
    case 'savepoint': {
      const timeLeft = Date.parse(upgrade.startTime) + durationMs(b.o.job.spec.checkpointing.timeout) - b.o.now.getTime();
      if (upgrade.savepointTriggerId === undefined) {
        // A leader that died between requesting the stop and recording it: the stopped job names its savepoint.
        const taken = jm?.reachable === true && TERMINAL_STATES.has(jm.state) ? jm.latestSavepoint : undefined;
        if (taken !== undefined && taken.time.getTime() >= Date.parse(upgrade.startTime)) {
          recordSavepoint(b, { path: taken.path, time: rfc3339(taken.time), trigger: suspendingOrUpgrade(b) });
          toTearDown(b, taken.path);
        } else if (timeLeft <= 0 || (jm?.reachable === true && TERMINAL_STATES.has(jm.state))) {
          fallBackToCheckpoint(b, upgrade.lastError ?? (jm?.reachable === true ? `the job is ${jm.state}` : 'the JobManager is unreachable'));
        } else if (running) {
          b.actions.push({ kind: 'stopWithSavepoint' });
          if (upgrade.lastError !== undefined) waitToStop(b, upgrade.lastError);
        } else {
          // Restarting, between stop and exit, or not answering: a savepoint may still be taken, so the
          // stop is retried until the checkpoint timeout rather than the job rewound to older state.
          waitToStop(b, jm?.reachable === true ? `the job is ${jm.state}` : `the JobManager is unreachable${jm ? `: ${jm.error}` : ''}`);
        }
        return;
      }
      const trigger = b.o.savepointTrigger;
      if (trigger === undefined || trigger.status === 'IN_PROGRESS') {
        // The JobManager aborts a savepoint at the checkpoint timeout; one that never answers is given as long again.
        if (timeLeft < -durationMs(b.o.job.spec.checkpointing.timeout)) fallBackToCheckpoint(b, 'the savepoint did not complete within twice the checkpoint timeout');
        return;
      }
      if (trigger.status === 'COMPLETED') {
        recordSavepoint(b, { path: trigger.location, time: rfc3339(b.o.now), trigger: suspendingOrUpgrade(b) });
        toTearDown(b, trigger.location);
        return;
      }
      const why = trigger.status === 'FAILED' ? `the savepoint failed: ${trigger.cause}` : `the JobManager is unreachable: ${trigger.error}`;
      if (timeLeft <= 0) {
        fallBackToCheckpoint(b, why);
      } else if (trigger.status === 'FAILED') {
        // The job runs on after a failed stop-with-savepoint: ask again.
        const { savepointTriggerId: _failed, ...rest } = upgrade;
        b.status = { ...b.status, upgrade: { ...rest, lastError: why } };
        waitToStop(b, why);
      } else {
        // The savepoint may complete while its JobManager does not answer: keep asking.
        b.status = { ...b.status, upgrade: { ...upgrade, lastError: why } };
        waitToStop(b, why);
      }
      return;
    }
  }
}

/** The stop is retried (or its trigger polled) until the checkpoint timeout; said in Progressing. */
function waitToStop(b: Builder, why: string): void {
  const message = `Upgrading (savepoint): waiting to stop the job with a savepoint, retried until the checkpoint timeout: ${why}`;
  b.phase('Upgrading', b.o.job.spec.job.state === 'suspended' ? `Suspending: ${message.slice('Upgrading (savepoint): '.length)}` : message);
  b.condition('Progressing', 'True', 'WaitingForSavepoint', b.status.message!);
}

function suspendingOrUpgrade(b: Builder): SavepointTrigger {
  return b.o.job.spec.job.state === 'suspended' ? 'suspend' : 'upgrade';
}

/**
 * The newest state of the current run: its newest completed checkpoint, else (a run that has not
 * checkpointed yet) the point it started from, so an upgrade never drops state the run was given.
 */
function newestRestorePoint(b: Builder): string | undefined {
  const jm = b.o.jobManager;
  return (jm?.reachable === true ? jm.latestCompleted?.path : undefined) ?? b.status.lastCheckpoint?.path ?? b.status.run?.restorePath;
}

/**
 * Savepoint mode when no savepoint could be taken until the checkpoint timeout: the next run starts
 * from the newest completed checkpoint or savepoint of this run that verifies, which its JobManager
 * finds by listing storage (what the operator last saw may be stale or deleted), said in an event
 * and a condition.
 */
function fallBackToCheckpoint(b: Builder, why: string): void {
  const path = newestRestorePoint(b);
  const run = b.status.run!.number;
  const message = `No savepoint because ${why}; starting from the newest verified checkpoint or savepoint of run ${run} in storage${path ? ` (last known: ${path})` : ', else with empty state'}`;
  b.event('Warning', 'SavepointFallback', message);
  b.condition('Progressing', 'True', 'SavepointFallback', message);
  toTearDown(b, path);
}

function toTearDown(b: Builder, restorePath: string | undefined): void {
  const { savepointTriggerId: _trigger, restorePath: _old, lastError: _error, ...upgrade } = b.status.upgrade!;
  // The old run no longer runs: no parallelism until the next one does.
  const { parallelism: _stopped, ...status } = b.status;
  b.status = { ...status, upgrade: { ...upgrade, step: 'TearingDown', ...(restorePath === undefined ? {} : { restorePath }) } };
}

function tearingDown(b: Builder): void {
  const podsLeft = b.o.jobManagerPod !== undefined || b.o.taskManagerPods.length > 0;
  if (podsLeft) {
    b.actions.push({ kind: 'teardown' });
    return;
  }
  if (b.o.job.spec.job.state === 'suspended') {
    const { upgrade: _done, ...rest } = b.status;
    b.status = rest;
    suspended(b);
    return;
  }
  const upgrade = b.status.upgrade!;
  const number = (b.status.run?.number ?? 0) + 1;
  // Every stateful upgrade lets the new JobManager look for the old run's newest verified state, so a
  // path that fails verification walks back (reported in status.skippedCheckpoints) instead of failing.
  const previous = upgrade.mode === 'stateless' || b.status.run === undefined ? undefined : jobId(b.o.job, b.status.run.number);
  deployRun(b, number, upgrade.restorePath, upgrade.restorePath ? `Deploying run ${number} from ${upgrade.restorePath}` : `Deploying run ${number} with empty state`, previous);
  b.status = { ...b.status, upgrade: { ...upgrade, step: 'Deploying' } };
  b.phase('Upgrading', b.status.message!);
}

/** The new run's objects exist once its JobManager pod does: the upgrade is over. */
function deploying(b: Builder): void {
  b.actions.push({ kind: 'deploy' });
  if (b.o.jobManagerPod?.run === b.status.run?.number) {
    const { upgrade: _done, ...rest } = b.status;
    b.status = rest;
    b.phase('Deploying', `Run ${b.status.run!.number} deployed`);
    // A rollback's run is announced by rollingBack().
    if (b.status.rollback?.state !== 'RollingBack') b.event('Normal', 'Upgraded', `Run ${b.status.run!.number} deployed${b.status.run!.restorePath ? ` from ${b.status.run!.restorePath}` : ''}`);
  }
}

function suspended(b: Builder): void {
  b.actions.push({ kind: 'teardown' });
  b.phase('Suspended', 'The job is suspended; set spec.job.state to running to resume it');
  // Ready as kstatus reads it (Flux's health checks): suspended is what the spec asks.
  b.condition('Ready', 'True', 'Suspended', b.status.message!);
  b.condition('Progressing', 'False', 'Suspended', b.status.message!);
  const { jobState: _gone, parallelism: _stopped, ...rest } = b.status;
  b.status = { ...rest, jobManager: { ...rest.jobManager!, ready: false } };
  b.requeueAfterMs = POLL_INTERVAL_MS * 12;
}

/** Resuming: the newer of the suspension's savepoint and the last checkpoint; nothing in stateless mode. */
export function resumePoint(status: StreamJobStatus, mode: UpgradeMode): string | undefined {
  if (mode === 'stateless') return undefined;
  const savepoint = status.savepoints?.last;
  const checkpoint = status.lastCheckpoint;
  if (savepoint && (!checkpoint || savepoint.time >= checkpoint.time)) return savepoint.path;
  return checkpoint?.path;
}

