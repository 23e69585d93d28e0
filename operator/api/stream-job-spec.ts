import { Type } from '@sinclair/typebox';
import type { Static, TInteger, TNumber, TOptional, TUnsafe } from '@sinclair/typebox';
import type { V1ObjectMeta, V1PodSpec } from '@kubernetes/client-node';
import {
  DEFAULT_RESTART_STRATEGY_TYPE,
  RESTART_STRATEGY_KEYS,
  RESTART_STRATEGY_TYPES,
  type RestartStrategyKey,
  type RestartStrategyKeyName,
} from '../../runtime/rest/restart-strategy.ts';
import { HealthCheckSpecSchema } from './health-check.ts';
import { Defaulted, DefaultedObject, Duration, FreeFormObject, ObjectName, Quantity, StringEnum, StringMap } from './kubernetes-schema-types.ts';
import { SavepointsSpecSchema } from './savepoint-policy.ts';
import { DeletionPolicySchema } from './deletion-policy.ts';

export const JOB_STATES = ['running', 'suspended'] as const;
export const UPGRADE_MODES = ['stateless', 'last-state', 'savepoint'] as const;
export const CHECKPOINTING_MODES = ['exactly-once', 'at-least-once'] as const;

/**
 * Key groups are numbered in 15 bits, as in Flink; no count in the spec (parallelism, replicas,
 * slots) may go beyond it either, so a StreamJob cannot make the operator build millions of pods.
 */
export const MAX_PARALLELISM_LIMIT = 32768;

/**
 * The keys a `credentialsSecret` must hold. They are the AWS SDK's environment variable names, so the
 * operator can hand the Secret to the pods with `envFrom` unchanged.
 */
export const S3_CREDENTIAL_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

/** Merged into the pods the operator creates; the operator's own settings win where both set a field. */
export interface PodTemplate {
  metadata?: Pick<V1ObjectMeta, 'labels' | 'annotations'>;
  spec?: V1PodSpec;
}

const Resources = Type.Object(
  {
    cpu: Type.Optional(Quantity({ description: 'CPU request and limit, e.g. 500m or 2.' })),
    memory: Type.Optional(Quantity({ description: 'Memory request and limit, e.g. 512Mi.' })),
  },
  { description: 'Resources of each container; the operator sets requests and limits to these values.' },
);

const PodTemplateSchema = FreeFormObject<PodTemplate>({
  description: 'A Pod manifest (metadata and spec) merged into the pods the operator creates.',
});

/** Off by default, as in the Flink Kubernetes Operator (`kubernetes.operator.deployment.rollback.enabled`). */
export const DEFAULT_ROLLBACK_TIMEOUT = '5m';

export const RollbackSpecSchema = Type.Object(
  {
    enabled: Defaulted(
      Type.Boolean({
        description:
          'Roll back an upgrade whose run is not stable (Running with a completed checkpoint) within timeout: redeploy the last stable spec (status.lastStableSpec) from the state the upgraded run started from, phase RolledBack; the failed spec is not tried again until the spec changes.',
      }),
      false,
    ),
    timeout: Defaulted(
      Duration({ description: `How long an upgraded run has to become stable, from its deploy; ${DEFAULT_ROLLBACK_TIMEOUT} when absent.` }),
      DEFAULT_ROLLBACK_TIMEOUT,
    ),
  },
  { description: 'Rollback of an upgrade that does not become stable (Flink: kubernetes.operator.deployment.rollback.enabled and readiness.timeout).' },
);

export const JobSpecSchema = Type.Object(
  {
    entry: Type.String({ minLength: 1, description: 'Path of the job module inside the image, e.g. jobs/wordcount.ts.' }),
    args: Type.Optional(Type.Array(Type.String(), { description: 'Arguments passed to the job module.' })),
    parallelism: Defaulted(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PARALLELISM_LIMIT,
        description:
          'Default parallelism of the operators of the job; the scale subresource\'s replicas (kubectl scale, an HPA). A change rescales the job through its upgradeMode.',
      }),
      1,
    ),
    maxParallelism: Defaulted(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PARALLELISM_LIMIT,
        description: 'Number of key groups; the highest parallelism the job can ever be rescaled to.',
      }),
      128,
    ),
    state: Defaulted(StringEnum(JOB_STATES, { description: 'running, or suspended to stop the job and remove its pods.' }), 'running'),
    upgradeMode: Defaulted(
      StringEnum(UPGRADE_MODES, {
        description:
          'How a spec change is rolled out: stateless (start empty), last-state (from the newest checkpoint), savepoint (stop with a savepoint, start from it).',
      }),
      'last-state',
    ),
    healthCheck: DefaultedObject(HealthCheckSpecSchema),
    initialSavepointPath: Type.Optional(
      Type.String({ minLength: 1, description: 'Savepoint or checkpoint to start from on the first deploy only, e.g. s3://bucket/prefix/...' }),
    ),
    allowNonRestoredState: Defaulted(
      Type.Boolean({
        description:
          "Upgrade even when the state to restore belongs to an operator (uid) the new job no longer has: the upgrade check (condition UpgradeSafe) lets the upgrade go on and the new run leaves that state behind, as Flink's --allowNonRestoredState. A changed maxParallelism still cannot restore. Default false: such an upgrade is not carried out and the old run keeps running.",
      }),
      false,
    ),
    savepointTriggerNonce: Defaulted(
      Type.Integer({ format: 'int64', description: 'Change this value to take a savepoint.' }),
      0,
    ),
    restartNonce: Defaulted(Type.Integer({ format: 'int64', description: 'Change this value to redeploy the job.' }), 0),
    savepoints: DefaultedObject(SavepointsSpecSchema),
    rollback: DefaultedObject(RollbackSpecSchema),
  },
  { description: 'The job module and how it runs.' },
);

const JobManagerSpecSchema = Type.Object(
  { resources: Type.Optional(Resources), podTemplate: Type.Optional(PodTemplateSchema) },
  { description: 'The JobManager pod.' },
);

const TaskManagerSpecSchema = Type.Object(
  {
    replicas: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_PARALLELISM_LIMIT,
        description: 'Number of TaskManager pods; when absent, as many as job.parallelism needs: ceil(job.parallelism / slots), so that scaling the StreamJob brings its pods along.',
      }),
    ),
    slots: Defaulted(
      Type.Integer({ minimum: 1, maximum: MAX_PARALLELISM_LIMIT, description: 'Task slots per TaskManager, all on the one event loop of its pod.' }),
      1,
    ),
    resources: Type.Optional(Resources),
    podTemplate: Type.Optional(PodTemplateSchema),
  },
  { description: 'The TaskManager pods.' },
);

const S3StorageSchema = Type.Object(
  {
    endpoint: Type.Optional(
      Type.String({ pattern: '^https?://[^\\s/]+', description: 'S3 endpoint URL, e.g. http://minio.minio:9000; the AWS endpoint when absent.' }),
    ),
    bucket: Type.String({ minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$', description: 'Bucket name.' }),
    prefix: Type.Optional(Type.String({ pattern: '^[^/].*$', description: 'Key prefix inside the bucket, without a leading slash.' })),
    region: Defaulted(Type.String({ minLength: 1, description: 'Region of the bucket.' }), 'us-east-1'),
    forcePathStyle: Defaulted(Type.Boolean({ description: 'Path-style addressing (bucket in the path), as MinIO needs.' }), false),
    credentialsSecret: Type.Optional(
      ObjectName({
        description: `Name of a Secret in the StreamJob's namespace with the keys ${S3_CREDENTIAL_KEYS.join(' and ')}; the pods' ambient credentials when absent.`,
      }),
    ),
  },
  { description: 'An S3-compatible bucket.' },
);

const FilesystemStorageSchema = Type.Object(
  { path: Type.String({ pattern: '^/', description: 'Absolute directory, e.g. a volume mounted through the pod templates.' }) },
  { description: 'A directory that every pod of the job mounts.' },
);

export const CheckpointStorageSchema = Type.Object(
  { s3: Type.Optional(S3StorageSchema), filesystem: Type.Optional(FilesystemStorageSchema) },
  {
    description: 'Where checkpoints and savepoints are written: exactly one of s3 or filesystem.',
    // Structural schemas allow `oneOf` with value validations only; this is how Kubernetes expresses "exactly one of".
    oneOf: [{ required: ['s3'] }, { required: ['filesystem'] }],
  },
);

export const CheckpointingSpecSchema = Type.Object(
  {
    interval: Defaulted(Duration({ description: 'Time between checkpoints.' }), '10s'),
    mode: Defaulted(StringEnum(CHECKPOINTING_MODES, { description: 'exactly-once aligns barriers; at-least-once does not.' }), 'exactly-once'),
    timeout: Defaulted(Duration({ description: 'A checkpoint not completed within this time is aborted.' }), '1m'),
    retained: Defaulted(Type.Integer({ minimum: 1, description: 'Completed checkpoints kept; older ones are deleted.' }), 3),
    deletionPolicy: DefaultedObject(DeletionPolicySchema),
    storage: CheckpointStorageSchema,
  },
  { description: 'Checkpoints: how often, which guarantee, and where.' },
);

/** The spec's keys are the runtime's (runtime/rest/restart-strategy.ts); absent keys take the runtime's defaults. */
export const RestartStrategySpecSchema = Type.Object(
  {
    type: Defaulted(
      StringEnum(RESTART_STRATEGY_TYPES, { description: 'none, fixed-delay, exponential-delay or failure-rate, as in Flink.' }),
      DEFAULT_RESTART_STRATEGY_TYPE,
    ),
    ...restartStrategySpecKeys(),
  },
  { description: 'What the JobManager does when a task fails. The job fails (phase Failed) once it is exhausted.' },
);

function restartStrategySpecKeys() {
  type Keys = { [K in RestartStrategyKeyName]: TOptional<(typeof RESTART_STRATEGY_KEYS)[K]['kind'] extends 'duration' ? TUnsafe<string> : TInteger | TNumber> };
  const entries = (Object.keys(RESTART_STRATEGY_KEYS) as RestartStrategyKeyName[]).map((name) => {
    const key: RestartStrategyKey = RESTART_STRATEGY_KEYS[name];
    const description = `${key.types.join(' and ')}: ${key.description}; ${key.default ?? 'unlimited'} when absent.`;
    const minimum = key.minimum === undefined ? {} : { minimum: key.minimum };
    const schema = key.kind === 'duration' ? Duration({ description }) : key.kind === 'count' ? Type.Integer({ ...minimum, description }) : Type.Number({ ...minimum, description });
    return [name, Type.Optional(schema)];
  });
  return Object.fromEntries(entries) as Keys;
}

export const StreamJobSpecSchema = Type.Object({
  image: Type.String({ minLength: 1, description: 'The runtime image that contains the job module.' }),
  job: JobSpecSchema,
  jobManager: DefaultedObject(JobManagerSpecSchema),
  taskManager: DefaultedObject(TaskManagerSpecSchema),
  checkpointing: CheckpointingSpecSchema,
  restartStrategy: DefaultedObject(RestartStrategySpecSchema),
  configuration: Type.Optional(StringMap({ description: 'Further runtime configuration, passed to every process as written.' })),
});

export type JobState = (typeof JOB_STATES)[number];
export type UpgradeMode = (typeof UPGRADE_MODES)[number];
export type CheckpointingMode = (typeof CHECKPOINTING_MODES)[number];
export type JobSpec = Static<typeof JobSpecSchema>;
export type RollbackSpec = Static<typeof RollbackSpecSchema>;
export type CheckpointStorage = Static<typeof CheckpointStorageSchema>;
export type CheckpointingSpec = Static<typeof CheckpointingSpecSchema>;
export type RestartStrategySpec = Static<typeof RestartStrategySpecSchema>;
/**
 * StreamJob `spec`: what the user asks for. The one definition from which both the TypeScript types and
 * the CRD's OpenAPI schema come (see operator/crd/). Field names follow the Flink Kubernetes Operator.
 *
 * A StreamJob's spec as the API server returns it: every defaulted field present.
 */
export type StreamJobSpec = Static<typeof StreamJobSpecSchema>;
