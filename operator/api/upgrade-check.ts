import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { StringEnum } from './kubernetes-schema-types.ts';

/**
 * Checking: the plan pod runs `sluice plan` with the new spec. Safe: the state to restore fits the new
 * job. Unsafe: it does not (problems name how). Failed: the check could not be made.
 */
export const UPGRADE_CHECK_STATES = ['Checking', 'Safe', 'Unsafe', 'Failed'] as const;
/** As `sluice plan` reports them (runtime/rest/upgrade-plan.ts). */
export const RESTORE_PROBLEM_KINDS = ['state-dropped', 'max-parallelism-changed', 'key-removed'] as const;
/** Problems listed in `status.upgradeCheck.problems`; the message names the first. */
export const UPGRADE_CHECK_PROBLEMS_LIMIT = 16;

export const UpgradeCheckStatusSchema = Type.Object(
  {
    specHash: Type.String({ description: 'Hash of the spec checked; the check is not run again for it.' }),
    state: StringEnum(UPGRADE_CHECK_STATES),
    pod: Type.Optional(Type.String({ description: 'The plan pod that runs the check.' })),
    restorePoint: Type.Optional(Type.String({ description: 'The checkpoint or savepoint the new job was compared with.' })),
    message: Type.Optional(Type.String({ description: 'The verdict: why it is safe, or the first problem.' })),
    problems: Type.Optional(
      Type.Array(
        Type.Object({
          kind: StringEnum(RESTORE_PROBLEM_KINDS),
          operatorId: Type.String(),
          uid: Type.Optional(Type.String({ description: "The operator's .uid() as the checkpoint recorded it." })),
        }),
        { maxItems: UPGRADE_CHECK_PROBLEMS_LIMIT },
      ),
    ),
    startTime: Type.String({ format: 'date-time', description: 'When the check began.' }),
  },
  {
    description:
      'The upgrade check of the newest spec (spec.job.allowNonRestoredState): before a stateful upgrade stops the old run, a plan pod compares the new job with the state it would restore.',
  },
);

export type UpgradeCheckStatus = Static<typeof UpgradeCheckStatusSchema>;
