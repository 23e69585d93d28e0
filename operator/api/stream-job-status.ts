import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ConditionSchema } from './condition.ts';
import { RestartTallySchema } from './restart-tally.ts';
import { HealthStatusSchema } from './health-check.ts';
import { StringEnum } from './kubernetes-schema-types.ts';
import { SavepointDisposalSchema } from './savepoint-policy.ts';
import { UPGRADE_MODES } from './stream-job-spec.ts';
import { UpgradeCheckStatusSchema } from './upgrade-check.ts';

/** RolledBack: an upgrade was rolled back and the job runs its last stable spec (status.rollback says why). */
export const PHASES = ['Pending', 'Deploying', 'Running', 'Upgrading', 'Suspended', 'Failed', 'Finished', 'RolledBack'] as const;
/** RollingBack: the failed run is being replaced by one of the last stable spec. RolledBack: that run is deployed; the failed spec is held. */
export const ROLLBACK_STATES = ['RollingBack', 'RolledBack'] as const;
/** Why a savepoint was taken: a changed savepointTriggerNonce, an upgrade in savepoint mode, a suspension, or job.savepoints.interval. */
export const SAVEPOINT_TRIGGERS = ['manual', 'upgrade', 'suspend', 'periodic'] as const;
/** Stopping: the old run is being stopped (with a savepoint if asked). TearingDown: its pods are being removed. Deploying: the new run's objects are being created. */
export const UPGRADE_STEPS = ['Stopping', 'TearingDown', 'Deploying'] as const;
/**
 * Savepoints listed in `status.savepoints.history`, newest first: the history policy keeps at most 10
 * (MAX_SAVEPOINT_HISTORY_COUNT) and those it may not dispose of; beyond this many the oldest are forgotten.
 */
export const SAVEPOINT_HISTORY_LIMIT = 20;
/** Savepoints being disposed of, listed in `status.savepoints.disposing`. */
export const SAVEPOINT_DISPOSALS_LIMIT = 20;
/** Skipped checkpoints listed in `status.skippedCheckpoints`. */
export const SKIPPED_CHECKPOINTS_LIMIT = 10;

const Timestamp = (description: string) => Type.String({ format: 'date-time', description });

export const CompletedCheckpointSchema = Type.Object(
  {
    id: Type.Integer({ format: 'int64', minimum: 1 }),
    path: Type.String({ description: 'Directory of the checkpoint, the one holding _metadata.' }),
    time: Timestamp('When the checkpoint completed.'),
  },
  { description: 'The newest completed checkpoint of the current run.' },
);

export const SavepointSchema = Type.Object({
  path: Type.String(),
  time: Timestamp('When the savepoint completed.'),
  trigger: StringEnum(SAVEPOINT_TRIGGERS),
  triggerNonce: Type.Optional(Type.Integer({ format: 'int64', description: 'spec.job.savepointTriggerNonce, for manual savepoints.' })),
});

const PendingSavepointSchema = Type.Object(
  {
    triggerId: Type.String({ description: "The JobManager's id of the savepoint request." }),
    trigger: StringEnum(SAVEPOINT_TRIGGERS),
    triggerNonce: Type.Optional(Type.Integer({ format: 'int64' })),
    startTime: Timestamp('When the savepoint was requested.'),
  },
  { description: 'A savepoint requested and not yet completed.' },
);

const SavepointsStatusSchema = Type.Object({
  last: Type.Optional(SavepointSchema),
  history: Type.Optional(Type.Array(SavepointSchema, { maxItems: SAVEPOINT_HISTORY_LIMIT, description: 'Newest first.' })),
  pending: Type.Optional(PendingSavepointSchema),
  disposing: Type.Optional(
    Type.Array(SavepointDisposalSchema, {
      maxItems: SAVEPOINT_DISPOSALS_LIMIT,
      description: 'Savepoints the history policy let go, oldest first, until the JobManager says their files are deleted.',
    }),
  ),
  observedTriggerNonce: Type.Optional(
    Type.Integer({ format: 'int64', description: 'The spec.job.savepointTriggerNonce last acted on.' }),
  ),
});

const RunStatusSchema = Type.Object(
  {
    number: Type.Integer({ format: 'int64', minimum: 1, description: 'Counts deploys; part of the job id.' }),
    specHash: Type.String({ description: 'Hash of the spec this run was deployed from (savepointTriggerNonce excluded).' }),
    restorePath: Type.Optional(Type.String({ description: 'Savepoint or checkpoint the run started from; absent when it started empty.' })),
    restoreFromRun: Type.Optional(
      Type.String({ description: 'Job id of the previous run: the run started from its newest verified checkpoint or savepoint in storage, before restorePath.' }),
    ),
    spec: Type.Optional(
      Type.String({ description: 'The spec this run was deployed from, as JSON, when it is not spec: a rollback deploys the last stable spec.' }),
    ),
    restartNonce: Type.Optional(Type.Integer({ format: 'int64', description: 'spec.job.restartNonce this run was deployed for.' })),
    parallelism: Type.Optional(Type.Integer({ minimum: 1, description: 'spec.job.parallelism this run was deployed with.' })),
    startTime: Timestamp('When the run was deployed.'),
  },
  { description: 'The current run: one deploy of the job, named by jobId.' },
);

const UpgradeStatusSchema = Type.Object(
  {
    step: StringEnum(UPGRADE_STEPS),
    mode: Type.Optional(
      StringEnum(UPGRADE_MODES, {
        description: 'How the old run is stopped: the upgradeMode, last-state for a restartNonce, savepoint for a suspension.',
      }),
    ),
    targetSpecHash: Type.String({ description: 'Hash of the spec being rolled out.' }),
    savepointTriggerId: Type.Optional(Type.String({ description: 'The stop-with-savepoint request, in savepoint mode.' })),
    restorePath: Type.Optional(Type.String({ description: 'Where the new run will start from, once known.' })),
    lastError: Type.Optional(Type.String({ description: 'Why the last stop-with-savepoint attempt did not succeed; it is retried until the checkpoint timeout.' })),
    startTime: Timestamp('When the upgrade began.'),
  },
  { description: 'An upgrade or suspension in progress.' },
);

const LastStableSpecSchema = Type.Object(
  {
    spec: Type.String({ description: 'The spec as JSON (as the Flink operator records status.reconciliationStatus.lastStableSpec).' }),
    specHash: Type.String({ description: 'Its spec hash.' }),
    run: Type.Integer({ format: 'int64', minimum: 1, description: 'The run that was stable with it.' }),
    time: Timestamp('When that run was first seen Running with a completed checkpoint of its own.'),
  },
  { description: 'The spec of the newest run that was stable (Running with a completed checkpoint of its own): what a rollback redeploys.' },
);

const RollbackStatusSchema = Type.Object(
  {
    state: StringEnum(ROLLBACK_STATES),
    failedSpecHash: Type.String({ description: 'Hash of the spec that did not become stable; held (not deployed again) until the spec changes.' }),
    failedRun: Type.Integer({ format: 'int64', minimum: 1, description: 'The run of the failed spec.' }),
    specHash: Type.String({ description: 'Hash of the last stable spec rolled back to.' }),
    reason: Type.String({ description: 'Why the failed run was rolled back.' }),
    startTime: Timestamp('When the rollback began.'),
  },
  { description: 'A rollback of an upgrade that did not become stable (spec.job.rollback); removed when the spec changes.' },
);

export const StreamJobStatusSchema = Type.Object({
  phase: Type.Optional(StringEnum(PHASES)),
  message: Type.Optional(Type.String({ description: 'For people: the current situation in one sentence.' })),
  observedGeneration: Type.Optional(Type.Integer({ format: 'int64', minimum: 0 })),
  conditions: Type.Optional(
    Type.Array(ConditionSchema, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  ),
  jobId: Type.Optional(Type.String({ description: 'Id of the current run: metadata.uid and the run number.' })),
  parallelism: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: "Parallelism of the run the JobManager reports RUNNING (the scale subresource's status replicas); absent while no run runs.",
    }),
  ),
  jobState: Type.Optional(Type.String({ description: 'The job status the JobManager reports, e.g. RUNNING.' })),
  jobManager: Type.Optional(
    Type.Object({
      ready: Type.Boolean(),
      restUrl: Type.Optional(Type.String({ description: 'Base URL of the JobManager REST API.' })),
    }),
  ),
  taskManagers: Type.Optional(
    Type.Object({
      desired: Type.Integer({ minimum: 0 }),
      ready: Type.Integer({ minimum: 0 }),
      selector: Type.Optional(Type.String({ description: 'Label selector of the TaskManager pods, for the scale subresource.' })),
    }),
  ),
  lastCheckpoint: Type.Optional(CompletedCheckpointSchema),
  savepoints: Type.Optional(SavepointsStatusSchema),
  restarts: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Times the current run restarted after a failure, summed over its JobManagers (a replaced JobManager counts from 0).' }),
  ),
  restartTally: Type.Optional(RestartTallySchema),
  health: Type.Optional(HealthStatusSchema),
  lastFailure: Type.Optional(
    Type.Object({ time: Timestamp('When the failure was observed.'), reason: Type.String(), message: Type.String() }),
  ),
  skippedCheckpoints: Type.Optional(
    Type.Array(
      Type.Object({
        path: Type.String({ description: 'Directory of the checkpoint.' }),
        reason: Type.String({ description: 'Why it could not be used: unparsable or wrong metadata, missing or wrongly sized files.' }),
      }),
      {
        maxItems: SKIPPED_CHECKPOINTS_LIMIT,
        description: "Completed checkpoints the current run's JobManager skipped when it restored (newest first), walking back to an older one.",
      },
    ),
  ),
  run: Type.Optional(RunStatusSchema),
  upgrade: Type.Optional(UpgradeStatusSchema),
  upgradeCheck: Type.Optional(UpgradeCheckStatusSchema),
  lastStableSpec: Type.Optional(LastStableSpecSchema),
  rollback: Type.Optional(RollbackStatusSchema),
});

export type Phase = (typeof PHASES)[number];
export type SavepointTrigger = (typeof SAVEPOINT_TRIGGERS)[number];
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];
export type CompletedCheckpoint = Static<typeof CompletedCheckpointSchema>;
export type RunStatus = Static<typeof RunStatusSchema>;
export type LastStableSpec = Static<typeof LastStableSpecSchema>;
export type RollbackStatus = Static<typeof RollbackStatusSchema>;
export type Savepoint = Static<typeof SavepointSchema>;
/**
 * StreamJob `status`: what the operator observed, written only by the operator through the status
 * subresource. Besides what people read (phase, conditions, checkpoints) it holds the bookkeeping the
 * operator needs to resume an interrupted upgrade after a restart or a leader change.
 */
export type StreamJobStatus = Static<typeof StreamJobStatusSchema>;
