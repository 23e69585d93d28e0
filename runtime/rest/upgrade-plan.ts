/**
 * Why a checkpoint's state does not fit a job, per operator id:
 * - `state-dropped`: the checkpoint holds state of an operator the job no longer has (by operator id,
 *   which `.uid()` fixes); the job can start without it only with `allowNonRestoredState`, and then
 *   that state is lost.
 * - `max-parallelism-changed`: keyed state split into another number of key groups; never restorable.
 * - `key-removed`: keyed state of an operator that no longer runs on a keyed stream; never restorable.
 */
export interface RestoreProblem {
  readonly kind: 'state-dropped' | 'max-parallelism-changed' | 'key-removed';
  readonly operatorId: string;
  /** The operator's `.uid()` as the checkpoint recorded it (absent without one, or in metadata of older builds). */
  readonly uid?: string;
  readonly message: string;
}

/**
 * What `sluice plan` says about starting a job from a checkpoint or savepoint: printed as JSON, and
 * the termination message of the operator's plan pod. `safe` when no problem was found, or when
 * there is no state to restore; `error` when the check could not be made (the job module failed to
 * build, storage could not be read), which is not safe either.
 */
export interface UpgradePlan {
  readonly safe: boolean;
  /** The checkpoint or savepoint compared with; absent when there is none. */
  readonly restorePoint?: string;
  readonly checkpointId?: number;
  readonly problems: readonly RestoreProblem[];
  /** Problems left out to keep the message within {@link TERMINATION_MESSAGE_LIMIT}. */
  readonly omittedProblems?: number;
  readonly error?: string;
  /** One line for people: why it is safe, or the first problem. */
  readonly summary: string;
}

/** `sluice plan`'s exit code when the plan found problems (0: safe; 1: the check failed). */
export const PLAN_UNSAFE_EXIT_CODE = 3;

/** The kubelet keeps at most this many bytes of a termination message. */
export const TERMINATION_MESSAGE_LIMIT = 4096;

/**
 * The plan as JSON of at most `limit` bytes: problems are left out from the end (counted in
 * `omittedProblems`) and the summary shortened until it fits, so the reader always gets a whole
 * document with the verdict.
 */
export function boundedPlanJson(plan: UpgradePlan, limit = TERMINATION_MESSAGE_LIMIT): string {
  let problems = [...plan.problems];
  let summary = plan.summary;
  for (;;) {
    const omitted = plan.problems.length - problems.length + (plan.omittedProblems ?? 0);
    const text = JSON.stringify({ ...plan, summary, problems, ...(omitted > 0 ? { omittedProblems: omitted } : {}) });
    if (Buffer.byteLength(text) <= limit) return text;
    if (problems.length > 0) problems = problems.slice(0, -1);
    else if (summary.length > 64) summary = `${summary.slice(0, Math.floor(summary.length / 2))}…`;
    else return JSON.stringify({ safe: plan.safe, problems: [], omittedProblems: plan.problems.length, summary: summary.slice(0, 64) });
  }
}

/** Reads a plan back (the operator, from a termination message); undefined when `text` is not one. */
export function parseUpgradePlan(text: string): UpgradePlan | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const plan = value as Partial<UpgradePlan> | null;
  if (plan === null || typeof plan !== 'object' || typeof plan.safe !== 'boolean' || typeof plan.summary !== 'string' || !Array.isArray(plan.problems)) return undefined;
  return plan as UpgradePlan;
}
