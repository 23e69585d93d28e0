import { parseUpgradePlan, PLAN_UNSAFE_EXIT_CODE } from '../../runtime/rest/upgrade-plan.ts';
import { rfc3339 } from '../api/time.ts';
import { UPGRADE_CHECK_PROBLEMS_LIMIT, type UpgradeCheckStatus } from '../api/upgrade-check.ts';
import { planPodName } from '../resources/plan-pod.ts';
import { jobId } from '../resources/runtime-config.ts';
import { TRANSITION_INTERVAL_MS, type Builder, type PlanPodObservation } from './decision.ts';
import { observeRun } from './observe-run.ts';

/** A plan pod that has not ended by then (not scheduled, its image not pulled) fails the check. */
export const PLAN_TIMEOUT_MS = 10 * 60_000;

/**
 * The upgrade check (issue 15 item 6): before a stateful upgrade stops the running job, a plan pod
 * runs `sluice plan` with the new spec, comparing its job graph with the state the new run would
 * restore (the running run's newest verified checkpoint or savepoint; in savepoint mode the savepoint
 * is taken only after the check, and operator ids do not change in between). Returns `proceed` when
 * the upgrade may go on, `hold` while the check runs or when it refused: the old run keeps running
 * untouched (no deploy: its objects would be built from the new spec), UpgradeSafe and Degraded say
 * why, one Warning event when the verdict arrives. The verdict is kept per target spec hash in
 * `status.upgradeCheck`, so a spec is checked once; changing the spec (e.g. setting
 * `allowNonRestoredState`) checks again.
 *
 * A run with no state the operator knows of (no completed checkpoint or savepoint seen, no starting
 * point) is not checked: there is nothing to compare with (UpgradeSafe True, NoStateToRestore).
 *
 * Unsafe with only dropped state proceeds when `spec.job.allowNonRestoredState` is set (UpgradeSafe
 * stays False and says so); a changed maxParallelism or a removed key never restores. A check that
 * could not be made (the plan failed, timed out) holds too, unless `allowNonRestoredState` is set:
 * whoever set it accepts losing state, and the new run still refuses state that cannot restore.
 */
export function checkUpgrade(b: Builder): 'proceed' | 'hold' {
  const { job, specHash, now } = b.o;
  if (job.spec.job.upgradeMode === 'stateless') return 'proceed';
  let check = b.status.upgradeCheck;
  if ((check === undefined || check.specHash !== specHash) && !knownState(b)) {
    // The new run would start empty; should a checkpoint have completed unseen, the runtime still refuses state that does not fit.
    b.condition('UpgradeSafe', 'True', 'NoStateToRestore', `Run ${b.status.run!.number} completed no checkpoint or savepoint the operator saw and did not start from one: nothing to restore`);
    return 'proceed';
  }
  if (check === undefined || check.specHash !== specHash) {
    check = { specHash, state: 'Checking', pod: planPodName(job, specHash), startTime: rfc3339(now) };
    b.status = { ...b.status, upgradeCheck: check };
    b.event('Normal', 'CheckingUpgrade', `Checking whether spec ${specHash} can restore the state of run ${b.status.run!.number} (pod ${check.pod})`);
  }
  if (check.state === 'Checking') {
    const pod = b.o.planPod?.specHash === specHash ? b.o.planPod : undefined;
    const verdict = pod?.outcome ? fromOutcome(check, pod.outcome) : timedOut(b, check);
    if (verdict === undefined) {
      if (pod === undefined) {
        const run = b.status.run!;
        b.actions.push({ kind: 'runPlan', specHash, fromRun: jobId(job, run.number), ...(run.restorePath === undefined ? {} : { from: run.restorePath }) });
      }
      const message = `Checking whether spec ${specHash} can restore the state of run ${b.status.run!.number} before stopping it (pod ${check.pod})`;
      holdOldRun(b);
      b.condition('UpgradeSafe', 'Unknown', 'Checking', message);
      b.condition('Progressing', 'True', 'CheckingUpgrade', message);
      b.requeueAfterMs = TRANSITION_INTERVAL_MS;
      return 'hold';
    }
    check = verdict;
    b.status = { ...b.status, upgradeCheck: check };
    announce(b, check);
  }
  if (b.o.planPod !== undefined && !b.o.planPod.terminating) b.actions.push({ kind: 'deletePlan', name: b.o.planPod.name });
  return settled(b, check);
}

/**
 * The spec is the running one again while an upgrade was held or being checked: no upgrade is asked
 * for, so the check's verdict no longer applies. UpgradeSafe says so; the verdict stays in
 * `status.upgradeCheck` (the same spec set again is not checked again) and a plan pod still running is deleted.
 */
export function upgradeWithdrawn(b: Builder): void {
  const check = b.status.upgradeCheck;
  if (check === undefined || check.specHash === b.o.specHash || check.state === 'Safe') return;
  if (b.o.planPod !== undefined && !b.o.planPod.terminating) b.actions.push({ kind: 'deletePlan', name: b.o.planPod.name });
  b.condition('UpgradeSafe', 'True', 'UpgradeWithdrawn', `The spec is the running one again; spec ${check.specHash} is not rolled out`);
}

/** Whether the running run has state the new one would restore, as far as the operator saw: a completed checkpoint or savepoint, or the point it started from. */
function knownState(b: Builder): boolean {
  const run = b.status.run!;
  const jm = b.o.jobManager?.reachable === true ? b.o.jobManager : undefined;
  const savepoint = b.status.savepoints?.last;
  return (
    run.restorePath !== undefined ||
    b.status.lastCheckpoint !== undefined ||
    jm?.latestCompleted !== undefined ||
    jm?.latestSavepoint !== undefined ||
    (savepoint !== undefined && savepoint.time >= run.startTime)
  );
}

/** The verdict the plan pod's termination message carries, as UpgradeCheckStatus. */
function fromOutcome(check: UpgradeCheckStatus, outcome: NonNullable<PlanPodObservation['outcome']>): UpgradeCheckStatus {
  const plan = parseUpgradePlan(outcome.message);
  const base = { specHash: check.specHash, ...(check.pod === undefined ? {} : { pod: check.pod }), startTime: check.startTime };
  if (plan !== undefined && plan.error === undefined && (plan.safe ? outcome.exitCode === 0 : outcome.exitCode === PLAN_UNSAFE_EXIT_CODE)) {
    return {
      ...base,
      state: plan.safe ? 'Safe' : 'Unsafe',
      ...(plan.restorePoint === undefined ? {} : { restorePoint: plan.restorePoint }),
      message: plan.summary,
      ...(plan.problems.length === 0
        ? {}
        : { problems: plan.problems.slice(0, UPGRADE_CHECK_PROBLEMS_LIMIT).map((p) => ({ kind: p.kind, operatorId: p.operatorId, ...(p.uid === undefined ? {} : { uid: p.uid }) })) }),
    };
  }
  const why = plan?.error ?? (outcome.message.trim() || 'no message');
  return { ...base, state: 'Failed', message: `the check exited with ${outcome.exitCode}${outcome.reason === undefined ? '' : ` (${outcome.reason})`}: ${why}` };
}

function timedOut(b: Builder, check: UpgradeCheckStatus): UpgradeCheckStatus | undefined {
  if (b.o.now.getTime() - Date.parse(check.startTime) < PLAN_TIMEOUT_MS) return undefined;
  return { ...check, state: 'Failed', message: `the plan pod ${check.pod} did not finish within ${PLAN_TIMEOUT_MS / 60_000} minutes` };
}

/** Whether the spec lets an unsafe or failed check through: allowNonRestoredState, and nothing that can never restore. */
function allowed(b: Builder, check: UpgradeCheckStatus): boolean {
  return b.o.job.spec.job.allowNonRestoredState && (check.problems ?? []).every((p) => p.kind === 'state-dropped');
}

/** The one event per verdict. */
function announce(b: Builder, check: UpgradeCheckStatus): void {
  const { specHash } = check;
  if (check.state === 'Safe') b.event('Normal', 'UpgradeSafe', `Spec ${specHash}: ${check.message}`);
  else if (allowed(b, check)) b.event('Warning', 'NonRestoredState', `Upgrading to spec ${specHash} although ${check.message} (allowNonRestoredState)`);
  else b.event('Warning', check.state === 'Unsafe' ? 'UpgradeUnsafe' : 'UpgradeCheckFailed', heldMessage(check));
}

function heldMessage(check: UpgradeCheckStatus): string {
  const what = check.state === 'Unsafe' ? `is unsafe: ${check.message}` : `could not be checked: ${check.message}`;
  return `The upgrade to spec ${check.specHash} is not carried out and the old run keeps running: it ${what}. Change the spec, or set spec.job.allowNonRestoredState to upgrade without state the new job has no operator for`;
}

function settled(b: Builder, check: UpgradeCheckStatus): 'proceed' | 'hold' {
  const message = check.message ?? '';
  if (check.state === 'Safe') {
    b.condition('UpgradeSafe', 'True', 'StateRestorable', message);
    return 'proceed';
  }
  const reason = check.state === 'Failed' ? 'CheckFailed' : (check.problems ?? []).every((p) => p.kind === 'state-dropped') ? 'StateDropped' : 'StateIncompatible';
  if (allowed(b, check)) {
    b.condition('UpgradeSafe', check.state === 'Failed' ? 'Unknown' : 'False', reason, `${message} (allowNonRestoredState: upgrading without that state)`);
    return 'proceed';
  }
  holdOldRun(b);
  b.condition('UpgradeSafe', check.state === 'Failed' ? 'Unknown' : 'False', reason, message);
  b.conditionSince('Degraded', 'True', check.state === 'Failed' ? 'UpgradeCheckFailed' : 'UpgradeUnsafe', heldMessage(check));
  b.condition('Progressing', 'False', 'UpgradeHeld', heldMessage(check));
  return 'hold';
}

/** The old run as it is: observed, never redeployed (its objects would be built from the new spec). */
function holdOldRun(b: Builder): void {
  if (b.status.phase !== 'Failed' && b.status.phase !== 'Finished') observeRun(b);
}
