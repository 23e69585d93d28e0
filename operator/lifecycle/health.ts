import { RESTART_OBSERVATIONS_LIMIT, type HealthCheckSpec, type HealthStatus } from '../api/health-check.ts';
import type { CheckpointingSpec } from '../api/stream-job-spec.ts';
import { durationMs, rfc3339 } from '../api/time.ts';
import type { Builder } from './decision.ts';
import { podFailures } from './pod-failures.ts';
import { totalRestarts } from './restart-tally.ts';

/** Why a running job is unhealthy: the Degraded condition's reason and message. */
export interface HealthVerdict {
  reason: 'TooManyRestarts' | 'CheckpointStalled';
  message: string;
}

/** Restarts seen at one poll. */
export interface RestartObservation {
  time: string;
  count: number;
}

/**
 * The checkpoint progress window: as given, but never shorter than twice the longer of the
 * checkpoint interval and timeout (the default), so that one slow or aborted checkpoint is not a
 * stall, as in the Flink Kubernetes Operator (FLINK-35126).
 */
export function checkpointProgressWindowMs(health: HealthCheckSpec, checkpointing: CheckpointingSpec): number {
  const least = 2 * Math.max(durationMs(checkpointing.interval), durationMs(checkpointing.timeout));
  const given = health.checkpointProgress.window;
  return given === undefined ? least : Math.max(least, durationMs(given));
}

/**
 * How long after the `redeploys`-th redeploy in a row the next may come: `redeployBackoff.initial`
 * doubled for each redeploy before it, at most `redeployBackoff.max`.
 */
export function redeployBackoffMs(health: HealthCheckSpec, redeploys: number): number {
  const max = durationMs(health.redeployBackoff.max);
  return Math.min(max, durationMs(health.redeployBackoff.initial) * 2 ** Math.min(redeploys - 1, 30));
}

/**
 * The health of a job at `now`, from the restarts seen within the restart window and the moment
 * the checkpoint progress window counts from (`stallClock`: the later of the newest completed
 * checkpoint and when the job was last seen to start RUNNING; undefined while it is not RUNNING).
 */
export function healthVerdict(
  health: HealthCheckSpec,
  checkpointing: CheckpointingSpec,
  now: Date,
  restarts: readonly RestartObservation[],
  stallClock: number | undefined,
  lastCheckpoint: string | undefined,
): HealthVerdict | undefined {
  if (health.restarts.enabled) {
    const since = now.getTime() - durationMs(health.restarts.window);
    const seen = restarts.reduce((sum, r) => (Date.parse(r.time) > since ? sum + r.count : sum), 0);
    if (seen > health.restarts.threshold) {
      return { reason: 'TooManyRestarts', message: `The job restarted ${seen} time${seen === 1 ? '' : 's'} within ${health.restarts.window}, more than healthCheck.restarts.threshold ${health.restarts.threshold}` };
    }
  }
  if (health.checkpointProgress.enabled && stallClock !== undefined) {
    const window = checkpointProgressWindowMs(health, checkpointing);
    if (now.getTime() - stallClock > window) {
      return {
        reason: 'CheckpointStalled',
        message: `The job completed no checkpoint for ${Math.round((now.getTime() - stallClock) / 1000)}s, longer than the checkpoint progress window of ${window / 1000}s${lastCheckpoint ? ` (last: ${lastCheckpoint})` : ''}`,
      };
    }
  }
  return undefined;
}

/**
 * The health check of a run that should be running, after {@link observeRun} read its JobManager:
 * records what the check needs in `status.health` (so a new leader goes on from it), and decides.
 * `redeploy`: the job is unhealthy and not backing off; the caller redeploys it last-state (a Warning
 * event HealthRedeploy and Degraded say why). A redeploy helped once the job stays healthy for the
 * longer of its backoff and the check's windows; until then the next redeploy waits for the backoff.
 */
export function checkHealth(b: Builder): 'redeploy' | undefined {
  const jm = b.o.jobManager;
  const run = b.status.run!;
  const spec = b.o.job.spec;
  const health = spec.job.healthCheck;
  let status = forgetNewSpec(b.status.health, run.specHash);
  if (jm === undefined || !jm.reachable) {
    b.status = withHealth(b.status, status);
    return undefined;
  }
  const previous = b.o.job.status?.health?.run === run.number ? status : undefined;
  const observations = { run: run.number, ...restartsSeen(b, previous), ...(jm.state === 'RUNNING' ? { runningSince: previous?.runningSince ?? rfc3339(b.o.now) } : {}) };
  status = { ...(status?.redeploys === undefined ? {} : { redeploys: status.redeploys, lastRedeploy: status.lastRedeploy! }), ...observations };
  const stallClock = observations.runningSince === undefined
    ? undefined
    : Math.max(Date.parse(observations.runningSince), jm.startTime?.getTime() ?? 0, b.status.lastCheckpoint ? Date.parse(b.status.lastCheckpoint.time) : 0);
  const verdict = healthVerdict(health, spec.checkpointing, b.o.now, status.restarts ?? [], stallClock, b.status.lastCheckpoint?.path);
  const redeploys = status.redeploys ?? 0;
  const last = status.lastRedeploy;
  const backoffEnd = last === undefined ? 0 : Date.parse(last.time) + redeployBackoffMs(health, redeploys);
  if (verdict === undefined) {
    const windows = Math.max(health.restarts.enabled ? durationMs(health.restarts.window) : 0, health.checkpointProgress.enabled ? checkpointProgressWindowMs(health, spec.checkpointing) : 0);
    if (last !== undefined && b.o.now.getTime() >= Math.max(backoffEnd, Date.parse(last.time) + windows)) {
      const { redeploys: _helped, lastRedeploy: _last, ...rest } = status;
      b.status = withHealth(b.status, rest);
      b.event('Normal', 'HealthRecovered', `The job stayed healthy after ${redeploys} redeploy${redeploys === 1 ? '' : 's'} for its health`);
      // Degraded as the pods alone say, now that the redeploy no longer does.
      podFailures(b);
      return undefined;
    }
    b.status = withHealth(b.status, status);
    return undefined;
  }
  if (last !== undefined && b.o.now.getTime() < backoffEnd) {
    b.status = withHealth(b.status, status);
    const message = `${verdict.message}; ${redeploys} redeploy${redeploys === 1 ? '' : 's'} for health did not help: the next not before ${rfc3339(new Date(backoffEnd))}`;
    const before = b.o.job.status?.conditions?.find((c) => c.type === 'Degraded');
    healthDegraded(b, 'HealthRedeployBackoff', message);
    if (before?.reason !== 'HealthRedeployBackoff') b.event('Warning', 'HealthRedeployBackoff', message);
    return undefined;
  }
  const message = `Redeploying from the newest verified checkpoint (redeploy ${redeploys + 1} for health): ${verdict.message}`;
  const { restarts: _counted, runningSince: _since, ...kept } = status;
  b.status = withHealth(b.status, { ...kept, redeploys: redeploys + 1, lastRedeploy: { time: rfc3339(b.o.now), specHash: run.specHash, reason: verdict.reason, message } });
  degradedByRedeploy(b);
  return 'redeploy';
}

/**
 * Degraded while a redeploy for health has not yet been followed by a healthy window: through the
 * redeploy's upgrade steps and the new run's start. A pod that cannot run says more, and keeps it.
 */
export function degradedByRedeploy(b: Builder): void {
  const last = b.status.health?.lastRedeploy;
  if (last !== undefined) healthDegraded(b, last.reason, last.message);
}

const HEALTH_REASONS: ReadonlySet<string> = new Set<HealthVerdict['reason'] | 'HealthRedeployBackoff'>(['TooManyRestarts', 'CheckpointStalled', 'HealthRedeployBackoff']);

function healthDegraded(b: Builder, reason: string, message: string): void {
  const current = b.status.conditions?.find((c) => c.type === 'Degraded');
  if (current?.status === 'True' && !HEALTH_REASONS.has(current.reason)) return;
  b.condition('Degraded', 'True', reason, message);
}

/** The restarts of this run seen within the restart window, with those of this poll. */
function restartsSeen(b: Builder, previous: HealthStatus | undefined): Pick<HealthStatus, 'restarts'> {
  const tally = b.status.restartTally;
  if (tally === undefined || !b.o.job.spec.job.healthCheck.restarts.enabled) return {};
  const before = b.o.job.status?.restartTally;
  const counted = before !== undefined && before.run === tally.run ? totalRestarts(before) : 0;
  const since = b.o.now.getTime() - durationMs(b.o.job.spec.job.healthCheck.restarts.window);
  const restarts = (previous?.restarts ?? []).filter((r) => Date.parse(r.time) > since);
  const added = totalRestarts(tally) - counted;
  if (added > 0) restarts.push({ time: rfc3339(b.o.now), count: added });
  // Bounded: the oldest two become one at the newer time, which keeps them in the window a little longer.
  while (restarts.length > RESTART_OBSERVATIONS_LIMIT) restarts.splice(0, 2, { time: restarts[1]!.time, count: restarts[0]!.count + restarts[1]!.count });
  return restarts.length === 0 ? {} : { restarts };
}

/** A redeploy for health of another spec says nothing of this one: its backoff is forgotten. */
function forgetNewSpec(health: HealthStatus | undefined, specHash: string): HealthStatus | undefined {
  if (health?.lastRedeploy === undefined || health.lastRedeploy.specHash === specHash) return health;
  const { redeploys: _other, lastRedeploy: _otherSpec, ...rest } = health;
  return rest;
}

function withHealth<S extends { health?: HealthStatus }>(status: S, health: HealthStatus | undefined): S {
  const { health: _old, ...rest } = status;
  return (health === undefined ? rest : { ...rest, health }) as S;
}

