import { FormatRegistry, Type } from '@sinclair/typebox';
import type { Static, StaticDecode, TSchema } from '@sinclair/typebox';
import { CHECKPOINTING_MODES } from '../core/checkpointing-mode.ts';
import { formatDuration, isDuration, parseDuration } from './duration.ts';
import { formatSize, isSize, parseSize } from './size.ts';
import {
  DEFAULT_RESTART_STRATEGY_TYPE,
  RESTART_STRATEGY_KEYS,
  RESTART_STRATEGY_TYPES,
  restartStrategyKeys,
  type RestartStrategyInfo,
  type RestartStrategyKey,
  type RestartStrategyType,
} from '../rest/restart-strategy.ts';

/**
 * The configuration of a JobManager or TaskManager process: one typebox definition that is both
 * the TypeScript type and the JSON schema (validated with ajv in load-config.ts). Durations and
 * sizes are written as strings (`10s`, `32kb`) and decode to milliseconds and bytes. Every key,
 * its default and its environment variable are listed in README.md.
 */
FormatRegistry.Set('duration', isDuration);
FormatRegistry.Set('size', isSize);

const Duration = (defaultValue: string | undefined, description: string) =>
  Type.Transform(Type.String({ format: 'duration', description, ...(defaultValue === undefined ? {} : { default: defaultValue }) }))
    .Decode(parseDuration)
    .Encode(formatDuration);

const Size = (defaultValue: string | undefined, description: string) =>
  Type.Transform(Type.String({ format: 'size', description, ...(defaultValue === undefined ? {} : { default: defaultValue }) }))
    .Decode(parseSize)
    .Encode(formatSize);

const Port = (defaultValue: number, description: string) => Type.Integer({ minimum: 0, maximum: 65535, default: defaultValue, description });
const Count = (defaultValue: number, minimum: number, description: string) => Type.Integer({ minimum, default: defaultValue, description });
const Name = (description: string) => Type.String({ minLength: 1, description });

/** A section object: unknown keys are errors; absent, it is created so its defaults apply. */
const Section = <T extends Record<string, TSchema>>(properties: T, description: string) =>
  Type.Object(properties, { additionalProperties: false, default: {}, description });

const Job = Section(
  {
    id: Type.Optional(Name('Id of this run of the job; default: the job name')),
    name: Type.String({ minLength: 1, default: 'job', description: 'Job name (the StreamJob name)' }),
    namespace: Type.String({ minLength: 1, default: 'default', description: 'Kubernetes namespace of the job' }),
    entry: Type.Optional(Name('Path of the job module')),
    args: Type.Array(Type.String(), { default: [], description: 'Arguments passed to the job module' }),
    restoreFrom: Type.Optional(
      Name('Savepoint or checkpoint this run starts from (a path or s3:// URI); a completed checkpoint of the run itself takes precedence'),
    ),
    restoreFromRun: Type.Optional(
      Name('Id of a previous run of this job whose newest verified checkpoint or savepoint (found in storage) this run starts from, before restoreFrom; a completed checkpoint of the run itself takes precedence'),
    ),
    allowNonRestoredState: Type.Boolean({
      default: false,
      description: 'Start even when the state restored from holds state of operators (by operator id) the job no longer has; that state is left behind',
    }),
    parallelism: Count(1, 1, 'Default parallelism of the job'),
    maxParallelism: Type.Integer({ minimum: 1, maximum: 32768, default: 128, description: 'Number of key groups' }),
  },
  'The job this process runs',
);

const JobManager = Section(
  {
    address: Type.String({ minLength: 1, default: 'localhost', description: 'Host TaskManagers and clients use to reach the JobManager' }),
    rpcPort: Port(6123, 'JobManager RPC port'),
    restPort: Port(8081, 'JobManager REST port'),
    bindAddress: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address the JobManager listens on' }),
  },
  'Where the JobManager listens and is reached',
);

const TaskManager = Section(
  {
    id: Type.Optional(Name('TaskManager id; default: <hostname>-<pid>')),
    bindAddress: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Address the data plane listens on' }),
    advertisedAddress: Type.Optional(Name('Host peers dial for data (the pod IP); default: the bind address, or the hostname when binding 0.0.0.0')),
    dataPort: Port(6121, 'Data-plane port; 0 picks a free one'),
    slots: Count(1, 1, 'Task slots offered'),
  },
  'This TaskManager',
);

/**
 * The default `network.maxFrameSize`, in multiples of `network.bufferSize`: a batch is flushed once
 * it reaches about bufferSize, so a frame is larger only by its last record. Bounding frames by the
 * buffer size rather than a fixed large limit bounds what one frame header can make a receiver allocate.
 */
export const FRAME_SIZE_PER_BUFFER_SIZE = 8;

const Network = Section(
  {
    bufferSize: Size('32kb', 'A batch is sent once its encoded size reaches this'),
    bufferRecords: Count(4096, 1, '... or once it holds this many records'),
    bufferTimeout: Duration('10ms', '... or this long after its first record; 0ms sends every record at once'),
    creditsPerChannel: Count(4, 1, 'Batches a receiver holds per channel (credits granted to its sender)'),
    maxQueuedBuffers: Count(4, 1, 'Batches a sender queues per channel before backpressuring its task'),
    maxFrameSize: Type.Optional(Size(undefined, `Largest frame sent or accepted; default: ${FRAME_SIZE_PER_BUFFER_SIZE} x bufferSize`)),
    connectTimeout: Duration('10s', 'How long to retry connecting to a peer, and to wait for its handshake'),
    maxUnregisteredChannels: Count(1024, 0, 'Channels whose data may arrive before their task registers them'),
  },
  'The TCP data plane between TaskManagers',
);

const Heartbeat = Section(
  {
    interval: Duration('1s', 'How often TaskManagers heartbeat the JobManager'),
    timeout: Duration('5s', 'Silence after which a TaskManager counts as lost'),
  },
  'TaskManager liveness',
);

/** One strategy's keys, made from the table the StreamJob CRD shares (runtime/rest/restart-strategy.ts). */
const Strategy = (type: RestartStrategyType) =>
  Type.Object(
    {
      type: Type.Literal(type),
      ...Object.fromEntries(
        restartStrategyKeys(type).map((name) => {
          const key: RestartStrategyKey = RESTART_STRATEGY_KEYS[name];
          const description = key.description[0]!.toUpperCase() + key.description.slice(1);
          const schema =
            key.kind === 'duration'
              ? Duration(key.default as string | undefined, description)
              : key.kind === 'count'
                ? Type.Integer({ minimum: key.minimum, description, ...(key.default === undefined ? {} : { default: key.default }) })
                : Type.Number({ minimum: key.minimum, default: key.default, description });
          return [name, key.default === undefined ? Type.Optional(schema) : schema];
        }),
      ),
    },
    { additionalProperties: false },
  );

/** Decoded: durations in milliseconds; `attempts` absent means unlimited. */
type RestartStrategyDecoded =
  | { readonly type: 'none' }
  | { readonly type: 'fixed-delay'; readonly attempts?: number; readonly delay: number }
  | {
      readonly type: 'exponential-delay';
      readonly attempts?: number;
      readonly initialDelay: number;
      readonly maxDelay: number;
      readonly backoffMultiplier: number;
      readonly resetBackoffThreshold: number;
    }
  | { readonly type: 'failure-rate'; readonly maxFailuresPerInterval: number; readonly failureInterval: number; readonly delay: number };

const RestartStrategy = Type.Union(RESTART_STRATEGY_TYPES.map(Strategy), {
  default: { type: DEFAULT_RESTART_STRATEGY_TYPE },
  description: 'What happens after a failure',
});

const Storage = Type.Union(
  [
    Type.Object(
      { filesystem: Type.Object({ path: Name('Directory of checkpoints') }, { additionalProperties: false }) },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        s3: Type.Object(
          {
            bucket: Name('Bucket of checkpoints'),
            prefix: Type.String({ default: '', description: 'Key prefix inside the bucket' }),
            endpoint: Type.Optional(Type.String({ pattern: '^https?://[^/]+', description: 'S3 endpoint URL, e.g. http://minio.minio:9000; default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS' })),
            region: Type.Optional(Name('Region; default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1')),
            forcePathStyle: Type.Optional(Type.Boolean({ description: 'Path-style bucket addressing (MinIO); default: true' })),
            credentialsDirectory: Type.Optional(
              Name('Directory of a mounted Secret holding accessKeyId/secretAccessKey (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) files; default: the AWS_* environment variables'),
            ),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { default: { filesystem: { path: 'checkpoints' } }, description: 'Where checkpoints and savepoints are stored: exactly one of filesystem, s3' },
);

const Checkpointing = Section(
  {
    interval: Type.Optional(Duration(undefined, 'Time between checkpoints; absent: checkpointing is off')),
    mode: Type.Union(CHECKPOINTING_MODES.map((m) => Type.Literal(m)), { default: 'exactly-once', description: 'Barrier alignment or not' }),
    timeout: Duration('10m', 'A checkpoint not completed by then is aborted'),
    minPause: Duration('0ms', 'Least time between the end of one checkpoint and the start of the next'),
    retained: Count(3, 1, 'Completed checkpoints kept'),
    olderRuns: Type.Optional(
      Type.Object(
        {
          runIdPrefix: Name('Runs of this job are named <runIdPrefix><n> (job.id among them); those with a lower n are older runs'),
          keep: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Checkpoint directories of older runs still referred to (restore points), kept' }),
        },
        {
          additionalProperties: false,
          description: "Once this run completed a checkpoint, older runs' checkpoint folders are deleted but for keep and the point this run restored from; absent: never",
        },
      ),
    ),
    storage: Storage,
  },
  'Checkpoints and savepoints',
);

const Security = Section(
  {
    auth: Type.Union([Type.Literal('enabled'), Type.Literal('disabled')], {
      default: 'enabled',
      description: 'Authentication of REST, RPC and data-plane peers with the run key; disabled only for development (logged)',
    }),
    runKeyFile: Type.Optional(Name('File holding the run key (64 hex characters): the per-run Secret the operator mounts')),
    handshakeTimeout: Duration('10s', 'How long a peer may take to authenticate, and a TaskManager to register, before its connection is closed'),
    maxUnauthenticatedConnections: Count(32, 1, 'Connections per listening port that may be authenticating at once; one more is closed at once'),
  },
  'Who may talk to this process',
);

const Logging = Section(
  {
    level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)), {
      default: 'info',
      description: 'Log level',
    }),
  },
  'Structured logs (pino, JSON on stderr)',
);

export const SluiceConfigSchema = Type.Object(
  {
    job: Job,
    jobmanager: JobManager,
    taskmanager: TaskManager,
    network: Network,
    heartbeat: Heartbeat,
    restartStrategy: RestartStrategy,
    checkpointing: Checkpointing,
    security: Security,
    logging: Logging,
  },
  { additionalProperties: false, $id: 'https://sluice.dev/schemas/config.json', title: 'Sluice process configuration' },
);

/** The configuration as written (durations and sizes as strings), before defaults. */
export type SluiceConfigInput = Omit<Static<typeof SluiceConfigSchema>, 'restartStrategy'> & { restartStrategy: RestartStrategyInfo };

type Decoded = StaticDecode<typeof SluiceConfigSchema>;

/** The loaded configuration: defaults applied, durations in milliseconds, sizes in bytes, ids resolved. */
export type SluiceConfig = Omit<Decoded, 'job' | 'taskmanager' | 'network' | 'restartStrategy'> & {
  readonly restartStrategy: RestartStrategyDecoded;
  readonly job: Decoded['job'] & { readonly id: string };
  readonly taskmanager: Decoded['taskmanager'] & { readonly id: string };
  readonly network: Decoded['network'] & { readonly maxFrameSize: number };
};

export type RestartStrategyConfig = SluiceConfig['restartStrategy'];
export type CheckpointStorageConfig = SluiceConfig['checkpointing']['storage'];
export type NetworkConfig = SluiceConfig['network'];
export type SecurityConfig = SluiceConfig['security'];
