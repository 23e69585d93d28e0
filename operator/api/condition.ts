import { boundedText } from './bounded-text.ts';
import { rfc3339 } from './time.ts';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { StringEnum } from './kubernetes-schema-types.ts';

/**
 * Ready: the StreamJob is what its spec asks (kstatus's and Flux's reading): the job runs and every pod is
 * ready, or it is suspended, or (a bounded job) it finished. Progressing: a deploy, upgrade or suspension is under way.
 * Degraded: the spec cannot be carried out as asked, pods keep failing, or the job was redeployed for its
 * health and has not yet stayed healthy (`lifecycle/health.ts`). CheckpointHealthy: checkpoints
 * complete within the configured interval and timeout. Reconciling and Stalled: kstatus's abnormal-true
 * pair, derived from the others (`lifecycle/kstatus-conditions.ts`). UpgradeSafe: the newest spec's upgrade
 * check found the state to restore fits the new job (False names what does not; `lifecycle/upgrade-check.ts`).
 */
export const CONDITION_TYPES = ['Ready', 'Progressing', 'Degraded', 'CheckpointHealthy', 'Reconciling', 'Stalled', 'UpgradeSafe'] as const;
export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

export const ConditionSchema = Type.Object({
  type: StringEnum(CONDITION_TYPES),
  status: StringEnum(CONDITION_STATUSES),
  observedGeneration: Type.Optional(Type.Integer({ format: 'int64', minimum: 0, description: 'The metadata.generation this condition was set for.' })),
  lastTransitionTime: Type.String({ format: 'date-time', description: 'When status last changed.' }),
  reason: Type.String({
    minLength: 1,
    maxLength: 1024,
    pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    description: 'A CamelCase word a program can match on.',
  }),
  message: Type.String({ maxLength: 32768, description: 'For people: what happened.' }),
});

export type ConditionType = (typeof CONDITION_TYPES)[number];
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];
/**
 * A status condition with the shape and validation of Kubernetes' metav1.Condition, restricted to the
 * condition types a StreamJob reports.
 */
export type Condition = Static<typeof ConditionSchema>;

/** The condition of `type`, if present. */
export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * `conditions` with `update` applied, as Kubernetes' meta.SetStatusCondition does: a new type is
 * appended; an existing one takes the new reason, message and observedGeneration, and its
 * lastTransitionTime changes only when its status does. Returns the same array when nothing changed,
 * so a caller can skip a status write. The message is cut to {@link boundedText}'s limit (it may
 * carry a JobManager's exception).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): readonly Condition[] {
  update = { ...update, message: boundedText(update.message) };
  const list = conditions ?? [];
  const index = list.findIndex((c) => c.type === update.type);
  if (index === -1) return [...list, { ...update, lastTransitionTime: rfc3339(now) }];
  const current = list[index]!;
  const next: Condition = {
    ...update,
    lastTransitionTime: current.status === update.status ? current.lastTransitionTime : rfc3339(now),
  };
  if (
    next.status === current.status &&
    next.reason === current.reason &&
    next.message === current.message &&
    next.observedGeneration === current.observedGeneration &&
    next.lastTransitionTime === current.lastTransitionTime
  ) {
    return list;
  }
  return list.map((c, i) => (i === index ? next : c));
}
