import { findCondition } from '../api/condition.ts';
import { DEFAULT_ROLLBACK_TIMEOUT, type RollbackSpec } from '../api/stream-job-spec.ts';
import { durationMs, rfc3339 } from '../api/time.ts';
import type { LastStableSpec, StreamJobStatus } from '../api/stream-job-status.ts';
import { canonicalJson } from '../resources/spec-hash.ts';
import type { Builder } from './decision.ts';
import { runSpec } from './run-spec.ts';

// Rollback of an upgrade that does not become stable, as the Flink Kubernetes Operator does it
// (kubernetes.operator.deployment.rollback.enabled, ...deployment.readiness.timeout,
// status.reconciliationStatus.lastStableSpec, ROLLING_BACK / ROLLED_BACK). The lifecycle calls these
// at its steps; each reads and writes only the decision being built.

/**
 * Stable: the run's JobManager reports it RUNNING with a completed checkpoint of its own (the REST
 * API's latest completed checkpoint is the run's, never the one it restored from).
 */
export function runIsStable(b: Builder): boolean {
  const jm = b.o.jobManager;
  return jm?.reachable === true && jm.state === 'RUNNING' && jm.latestCompleted !== undefined;
}

/** The first time a run is seen stable, its spec becomes `status.lastStableSpec`. */
export function recordStableSpec(b: Builder): void {
  const run = b.status.run;
  if (run === undefined || b.status.lastStableSpec?.run === run.number || !runIsStable(b)) return;
  const lastStableSpec: LastStableSpec = { spec: canonicalJson(runSpec(b.o.job, run)), specHash: run.specHash, run: run.number, time: rfc3339(b.o.now) };
  b.status = { ...b.status, lastStableSpec };
}

/**
 * Why the current run is to be rolled back, or undefined. Only a run of the spec as it is now, deployed
 * after a stable run of another spec (an upgrade), never stable itself, and only once
 * `spec.job.rollback.timeout` has passed since its deploy, whatever its state (a run that failed for
 * good is rolled back at the timeout too).
 */
export function rollbackDue(b: Builder): string | undefined {
  // Absent under a CRD installed before the field (helm does not upgrade CRDs): off.
  const { enabled, timeout } = (b.o.job.spec.job.rollback as RollbackSpec | undefined) ?? { enabled: false, timeout: DEFAULT_ROLLBACK_TIMEOUT };
  const { run, lastStableSpec: stable } = b.status;
  if (!enabled || run === undefined || stable === undefined) return undefined;
  if (run.specHash !== b.o.specHash || stable.specHash === run.specHash || stable.run >= run.number || runIsStable(b)) return undefined;
  if (b.o.now.getTime() < Date.parse(run.startTime) + durationMs(timeout)) return undefined;
  const degraded = findCondition(b.status.conditions, 'Degraded');
  const seen = degraded?.status === 'True' ? degraded.message : (b.status.message ?? 'nothing observed');
  return `run ${run.number} (spec ${run.specHash}) was not Running with a completed checkpoint within ${timeout}: ${seen}`;
}

/**
 * Starts the rollback as an upgrade to the last stable spec. The failed run is stopped as in
 * last-state mode (cancelled, no savepoint), so the next run starts from the failed run's own newest
 * checkpoint if it completed one (its sinks committed up to it: going further back would publish
 * their output twice), else from where the failed run started: the savepoint or checkpoint taken
 * before the upgrade.
 */
export function startRollback(b: Builder, reason: string): void {
  const run = b.status.run!;
  const stable = b.status.lastStableSpec!;
  const startTime = rfc3339(b.o.now);
  b.status = {
    ...b.status,
    rollback: { state: 'RollingBack', failedSpecHash: run.specHash, failedRun: run.number, specHash: stable.specHash, reason, startTime },
    upgrade: { step: 'Stopping', mode: 'last-state', targetSpecHash: stable.specHash, startTime },
  };
  b.event('Warning', 'RollingBack', `Rolling back to the last stable spec ${stable.specHash} (run ${stable.run}): ${reason}`);
}

/**
 * The spec a new run deploys instead of `spec`: the last stable one while a rollback is under way or
 * `spec` is still the spec that failed (held until it changes).
 */
export function rollbackTarget(status: StreamJobStatus, specHash: string): LastStableSpec | undefined {
  const rollback = status.rollback;
  if (rollback === undefined || (rollback.state !== 'RollingBack' && rollback.failedSpecHash !== specHash)) return undefined;
  return status.lastStableSpec;
}

/** Whether `spec` is the spec a rollback left behind: it is not deployed again until it changes. */
export function holdsFailedSpec(b: Builder): boolean {
  return b.status.rollback?.failedSpecHash === b.o.specHash;
}

/**
 * After an upgrade step: a rollback's steps are said as such, and once the run of the last stable
 * spec is deployed the StreamJob is RolledBack (phase, Degraded, a Warning event).
 */
export function rollingBack(b: Builder): void {
  const rollback = b.status.rollback;
  if (rollback?.state !== 'RollingBack') return;
  const upgrade = b.status.upgrade;
  if (upgrade !== undefined) {
    const message = `Rolling back to the last stable spec ${rollback.specHash}: ${upgrade.step}`;
    b.phase('Upgrading', message);
    b.condition('Progressing', 'True', 'RollingBack', message);
    b.condition('Ready', 'False', 'RollingBack', message);
    return;
  }
  // Suspended instead: the run of the last stable spec is deployed at the resume.
  if (b.status.phase === 'Suspended') return;
  const run = b.status.run!;
  b.status = { ...b.status, rollback: { ...rollback, state: 'RolledBack' } };
  const message = rolledBackMessage(b);
  b.phase('RolledBack', message);
  b.condition('Degraded', 'True', 'RolledBack', message);
  b.condition('Progressing', 'False', 'RolledBack', message);
  b.event('Warning', 'RolledBack', `Run ${run.number} of the last stable spec ${rollback.specHash} deployed ${run.restorePath ? `from ${run.restorePath}` : 'with empty state'}; ${message}`);
}

/**
 * On the paths that watch a run: while `spec` is held, a running job's phase is RolledBack and
 * Degraded says why (kstatus reads it as Stalled); once the spec changed, the rollback is over.
 * A rollback still RollingBack here had its upgrade ended by a suspension: its run, deployed at
 * the resume, is of the last stable spec too.
 */
export function rolledBack(b: Builder): void {
  const rollback = b.status.rollback;
  if (rollback === undefined) return;
  if (!holdsFailedSpec(b)) {
    const { rollback: _over, ...rest } = b.status;
    b.status = rest;
    return;
  }
  if (rollback.state === 'RollingBack') b.status = { ...b.status, rollback: { ...rollback, state: 'RolledBack' } };
  const message = rolledBackMessage(b);
  if (b.status.phase === 'Running') {
    b.phase('RolledBack', message);
    b.condition('Progressing', 'False', 'RolledBack', message);
  }
  // A pod that cannot run says more than the rollback does.
  // conditionSince: podFailures set Degraded False earlier in this decision, no transition of the status as written.
  if (findCondition(b.status.conditions, 'Degraded')?.status !== 'True') b.conditionSince('Degraded', 'True', 'RolledBack', message);
}

function rolledBackMessage(b: Builder): string {
  const rollback = b.status.rollback!;
  return `Rolled back to the last stable spec ${rollback.specHash}; spec ${rollback.failedSpecHash} is not deployed again until the spec changes, because ${rollback.reason}`;
}
