import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Defaulted, DefaultedObject, Duration } from './kubernetes-schema-types.ts';

/** The most savepoints `history.maxCount` may keep: they are listed in `status.savepoints.history`. */
export const MAX_SAVEPOINT_HISTORY_COUNT = 10;

/**
 * `spec.job.savepoints`, after the Flink Kubernetes Operator's `kubernetes.operator.periodic.savepoint.interval`
 * and `kubernetes.operator.savepoint.history.max.count` / `.max.age`.
 */
export const SavepointsSpecSchema = Type.Object(
  {
    interval: Type.Optional(
      Duration({
        description:
          'Take a savepoint (trigger periodic) this long after the newest savepoint of any trigger, or after the run started; absent: no periodic savepoints.',
      }),
    ),
    history: DefaultedObject(
      Type.Object(
        {
          maxCount: Defaulted(
            Type.Integer({
              minimum: 1,
              maximum: MAX_SAVEPOINT_HISTORY_COUNT,
              description: `Savepoints kept in status.savepoints.history; older ones are disposed of (their files deleted from storage by the JobManager). ${MAX_SAVEPOINT_HISTORY_COUNT} when absent.`,
            }),
            MAX_SAVEPOINT_HISTORY_COUNT,
          ),
          maxAge: Type.Optional(
            Duration({ description: 'Savepoints older than this are disposed of; absent: no age limit.' }),
          ),
        },
        {
          description:
            'Which savepoints the operator took are kept; the others are disposed of. Never disposed of: the newest savepoint, the one the current run started from (status.run.restorePath), one an upgrade in progress starts from, and job.initialSavepointPath.',
        },
      ),
    ),
  },
  { description: 'Savepoints the operator takes by itself, and how many of them it keeps.' },
);

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

/** A savepoint the history policy let go: its files are being deleted through the JobManager. */
export const SavepointDisposalSchema = Type.Object({
  path: Type.String(),
  triggerId: Type.Optional(Type.String({ description: "The JobManager's id of the disposal request in flight." })),
  lastError: Type.Optional(Type.String({ description: 'Why the last attempt did not complete; it is tried again.' })),
  since: Timestamp('When the history policy let it go.'),
});

export type SavepointsSpec = Static<typeof SavepointsSpecSchema>;
export type SavepointDisposal = Static<typeof SavepointDisposalSchema>;
