import { durationMs, rfc3339 } from '../api/time.ts';
import { SKIPPED_CHECKPOINTS_LIMIT } from '../api/stream-job-status.ts';
import { canonicalJson } from '../resources/spec-hash.ts';
import { tallyRestarts, totalRestarts } from './restart-tally.ts';
import { POLL_INTERVAL_MS, TRANSITION_INTERVAL_MS, type Builder } from './decision.ts';

/** Reads the JobManager's answers into the status of a run that should be running; `ended` once it failed or finished. */
export function observeRun(b: Builder): 'live' | 'ended' {
  const jm = b.o.jobManager;
  const tms = b.status.taskManagers!;
  b.requeueAfterMs = POLL_INTERVAL_MS;
  if (jm === undefined || !jm.reachable) {
    const why = jm === undefined ? 'the JobManager pod has no address yet' : `the JobManager is not answering: ${jm.error}`;
    b.phase('Deploying', `Waiting: ${why}`);
    b.condition('Ready', 'False', 'JobManagerNotReady', b.status.message!);
    b.condition('Progressing', 'True', 'Deploying', b.status.message!);
    b.requeueAfterMs = TRANSITION_INTERVAL_MS * 2;
    return 'live';
  }
  const restartTally = tallyRestarts(b.status.restartTally, b.status.run!.number, jm);
  b.status = { ...b.status, jobState: jm.state, restarts: totalRestarts(restartTally), restartTally };
  if (jm.latestCompleted) {
    b.status.lastCheckpoint = { id: jm.latestCompleted.id, path: jm.latestCompleted.path, time: rfc3339(jm.latestCompleted.time) };
  }
  if (jm.rootException) {
    b.status.lastFailure = { time: rfc3339(jm.rootException.time), reason: jm.rootException.name, message: jm.rootException.message };
  }
  skippedCheckpoints(b);
  checkpointHealth(b);
  runningParallelism(b, jm.state);
  switch (jm.state) {
    case 'FAILED': {
      const cause = jm.rootException ? `${jm.rootException.name}: ${jm.rootException.message}` : 'no exception reported';
      b.phase('Failed', `The job failed and its restart strategy is exhausted: ${cause}`);
      b.condition('Ready', 'False', 'JobFailed', b.status.message!);
      b.condition('Progressing', 'False', 'JobFailed', b.status.message!);
      return 'ended';
    }
    case 'FINISHED':
      b.phase('Finished', 'The job finished');
      // Ready as kstatus reads it (Flux's health checks): a bounded job that ended is what its spec asks.
      b.condition('Ready', 'True', 'JobFinished', b.status.message!);
      b.condition('Progressing', 'False', 'JobFinished', b.status.message!);
      return 'ended';
    case 'RUNNING':
      if (tms.ready === tms.desired) {
        b.phase('Running', `Running with ${tms.ready} TaskManager${tms.ready === 1 ? '' : 's'}`);
        b.condition('Ready', 'True', 'JobRunning', b.status.message!);
        b.condition('Progressing', 'False', 'Deployed', b.status.message!);
      } else {
        b.phase('Running', `Running; TaskManagers ready: ${tms.ready}/${tms.desired}`);
        b.condition('Ready', 'False', 'TaskManagersNotReady', b.status.message!);
        b.condition('Progressing', 'True', 'ScalingTaskManagers', b.status.message!);
      }
      return 'live';
    default: {
      const restarting = jm.state === 'RESTARTING' || jm.state === 'FAILING';
      // A job that keeps failing (a missing Kafka topic, a wrong address) says why while its restart strategy retries.
      const cause = restarting && jm.rootException ? ` after: ${jm.rootException.name}: ${jm.rootException.message}` : '';
      b.phase(restarting ? 'Running' : 'Deploying', `The job is ${jm.state}${cause}`);
      b.condition('Ready', 'False', jm.state === 'RESTARTING' ? 'JobRestarting' : 'JobNotRunning', b.status.message!);
      // Scheduling or restarting takes seconds: look again soon, so Running shows when it happens.
      b.requeueAfterMs = TRANSITION_INTERVAL_MS;
      return 'live';
    }
  }
}

/**
 * `status.parallelism` (the scale subresource's status replicas): the run's parallelism once its
 * JobManager reports it RUNNING, so a rescale shows only when the new run runs; kept while the run
 * restarts, removed once it failed or finished.
 */
function runningParallelism(b: Builder, state: string): void {
  const run = b.status.run;
  // A run deployed by an operator that did not record its parallelism: the spec's, if it is the run's spec.
  const deployed = run?.parallelism ?? (run?.specHash === b.o.specHash ? b.o.job.spec.job.parallelism : undefined);
  if (state === 'RUNNING' && deployed !== undefined) {
    b.status = { ...b.status, parallelism: deployed };
  } else if (state === 'FAILED' || state === 'FINISHED') {
    const { parallelism: _ended, ...rest } = b.status;
    b.status = rest;
  }
}

/**
 * The checkpoints the JobManager skipped on restore, in status and, when the list changes, in a
 * Warning event: each one is state the job did not resume from.
 */
function skippedCheckpoints(b: Builder): void {
  const jm = b.o.jobManager;
  const reported = jm?.reachable === true ? (jm.skippedOnRestore ?? []) : [];
  if (reported.length === 0) return;
  const skipped = reported.slice(0, SKIPPED_CHECKPOINTS_LIMIT).map(({ path, reason }) => ({ path, reason }));
  if (canonicalJson(skipped) === canonicalJson(b.status.skippedCheckpoints ?? [])) return;
  b.status = { ...b.status, skippedCheckpoints: skipped };
  b.event('Warning', 'CheckpointsSkipped', `Restore skipped ${reported.length} completed checkpoint${reported.length === 1 ? '' : 's'}: ${skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')}`);
}

/** Healthy while a checkpoint completed within two intervals plus the timeout (or the run is younger than that). */
function checkpointHealth(b: Builder): void {
  const { interval, timeout } = b.o.job.spec.checkpointing;
  const allowed = 2 * durationMs(interval) + durationMs(timeout);
  const last = b.status.lastCheckpoint;
  const since = last ? Date.parse(last.time) : Date.parse(b.status.run!.startTime);
  const late = b.o.now.getTime() - since > allowed;
  const retention = b.o.jobManager?.reachable === true ? b.o.jobManager.retentionFailure : undefined;
  // Retention that fails leaves checkpoints in storage while the job runs on: said, though checkpoints still complete.
  const retentionMessage = retention
    ? `; retention failed ${retention.failures} time${retention.failures === 1 ? '' : 's'}, last at ${rfc3339(retention.time)}${retention.checkpointsLeftBehind === null ? '' : ` leaving ${retention.checkpointsLeftBehind} checkpoint${retention.checkpointsLeftBehind === 1 ? '' : 's'} behind`}: ${retention.message}`
    : '';
  if (!late) {
    b.condition(
      'CheckpointHealthy',
      last ? 'True' : 'Unknown',
      last ? 'CheckpointsCompleting' : 'NoCheckpointYet',
      (last ? `Checkpoint ${last.id} completed at ${last.time}` : 'No checkpoint has completed yet') + retentionMessage,
    );
  } else {
    b.condition('CheckpointHealthy', 'False', 'CheckpointsLate', `No checkpoint completed in the last ${Math.round(allowed / 1000)}s${retentionMessage}`);
  }
}
