import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

export const RestartTallySchema = Type.Object(
  {
    run: Type.Integer({ format: 'int64', minimum: 1, description: 'The run whose restarts are counted.' }),
    jobManagerStartTime: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the JobManager now counting started the job, to the millisecond: a different time is another JobManager.',
      }),
    ),
    jobManagerRestarts: Type.Integer({ minimum: 0, description: 'The restarts that JobManager reported last.' }),
    earlier: Type.Integer({ minimum: 0, description: "The restarts the run's earlier JobManagers reported, summed." }),
  },
  { description: 'How status.restarts adds up over the JobManagers of the current run.' },
);

/**
 * The operator's count of a run's restarts across its JobManagers. A JobManager keeps its restart
 * count in memory only (as Flink's numRestarts, which a JobManager failover resets), so each new
 * JobManager of the run (a replaced pod, a restarted container) starts again from 0; the operator adds
 * what the earlier ones reported, and `status.restarts` is `earlier + jobManagerRestarts`.
 */
export type RestartTally = Static<typeof RestartTallySchema>;
