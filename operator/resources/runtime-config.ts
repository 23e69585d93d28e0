import { S3_CREDENTIAL_KEYS, type RestartStrategySpec, type StreamJobSpec } from '../api/stream-job-spec.ts';
import type { StreamJob } from '../api/stream-job.ts';
import { restartStrategyKeys } from '../../runtime/rest/restart-strategy.ts';
import { names } from './labels.ts';

export const RPC_PORT = 6123;
export const REST_PORT = 8081;
export const DATA_PORT = 6121;
/** The key in a run's key Secret, and the file name it is mounted as. */
export const RUN_KEY_FILE = 'run-key';
/** Where the JobManager and TaskManager pods see their run's key (runtime configuration `security.runKeyFile`). */
export const RUN_KEY_DIR = '/etc/sluice/run-key';

/** What one deploy of a StreamJob starts from. */
export interface RunTarget {
  /** Counts deploys; part of the job id. */
  number: number;
  /** Savepoint or checkpoint the run starts from; absent: empty state. */
  restorePath?: string;
  /**
   * Job id of the previous run, whose newest verified checkpoint or savepoint the JobManager looks up
   * in storage and starts from before `restorePath` (runtime `job.restoreFromRun`).
   */
  restoreFromRun?: string;
}

/** `<metadata.uid>-<run number>`: a new job id, so a new checkpoint folder, at every deploy. */
export function jobId(job: StreamJob, runNumber: number): string {
  return `${runIdPrefix(job)}${runNumber}`;
}

/** What every run id of the StreamJob starts with: `<metadata.uid>-`, so a re-created StreamJob of the same name has other runs. */
export function runIdPrefix(job: StreamJob): string {
  return `${job.metadata.uid}-`;
}

/** The Service DNS name TaskManagers and the operator's status report use for the JobManager. */
export function jobManagerAddress(job: StreamJob): string {
  return `${names.jobManagerService(job.metadata.name!)}.${job.metadata.namespace}.svc`;
}

/**
 * The runtime process configuration (runtime/config/README.md) the operator renders into the job's
 * ConfigMap: the same file for the JobManager and every TaskManager of one run.
 */
export function runtimeConfig(job: StreamJob, run: RunTarget): Record<string, unknown> {
  const { spec } = job;
  return {
    job: {
      id: jobId(job, run.number),
      ...jobSettings(job),
      allowNonRestoredState: spec.job.allowNonRestoredState,
      ...(run.restorePath === undefined ? {} : { restoreFrom: run.restorePath }),
      ...(run.restoreFromRun === undefined ? {} : { restoreFromRun: run.restoreFromRun }),
    },
    jobmanager: { address: jobManagerAddress(job), rpcPort: RPC_PORT, restPort: REST_PORT },
    taskmanager: { slots: spec.taskManager.slots, dataPort: DATA_PORT },
    restartStrategy: restartStrategyConfig(spec.restartStrategy),
    checkpointing: { ...checkpointingConfig(spec), olderRuns: olderRunsConfig(job, run) },
    security: { runKeyFile: `${RUN_KEY_DIR}/${RUN_KEY_FILE}` },
  };
}

/**
 * Checkpoint garbage collection across runs (runtime `checkpointing.olderRuns`): the runs of this
 * StreamJob are `<metadata.uid>-<n>`, so those below this run's number are older runs, whose
 * checkpoint folders the JobManager deletes once this run completed a checkpoint. A re-created
 * StreamJob of the same name has another uid and leaves the runs of the one before alone. Kept: the
 * checkpoint this run starts from (a rollback starts from it again) and `initialSavepointPath`;
 * savepoints are not in run folders.
 */
function olderRunsConfig(job: StreamJob, run: RunTarget): { runIdPrefix: string; keep: string[] } {
  const keep = [run.restorePath, job.spec.job.initialSavepointPath].filter((p): p is string => p !== undefined);
  return { runIdPrefix: runIdPrefix(job), keep: [...new Set(keep)] };
}

/** The runtime's `job` keys that say which job the module builds: every process of a run, and `sluice plan`, build it alike. */
export function jobSettings(job: StreamJob): Record<string, unknown> {
  const { spec } = job;
  return {
    name: job.metadata.name,
    namespace: job.metadata.namespace,
    entry: spec.job.entry,
    args: spec.job.args ?? [],
    parallelism: spec.job.parallelism,
    maxParallelism: spec.job.maxParallelism,
  };
}

function checkpointingConfig(spec: StreamJobSpec): Record<string, unknown> {
  const { interval, mode, timeout, retained } = spec.checkpointing;
  return { interval, mode, timeout, retained, storage: checkpointStorageConfig(spec) };
}

/**
 * The S3 keys as the pods' environment, by reference to the job's credentials Secret: the operator
 * never reads or copies secret values. None with ambient credentials or filesystem storage.
 */
export function storageCredentialsEnv(spec: StreamJobSpec): Record<string, unknown>[] {
  const secret = spec.checkpointing.storage.s3?.credentialsSecret;
  return secret === undefined ? [] : S3_CREDENTIAL_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: secret, key } } }));
}

/** The runtime's `checkpointing.storage`: where the job's checkpoints and savepoints are (credentials come from the pod's environment). */
export function checkpointStorageConfig(spec: StreamJobSpec): Record<string, unknown> {
  const { storage } = spec.checkpointing;
  const s3 = storage.s3;
  return s3
    ? {
        s3: {
          bucket: s3.bucket,
          ...(s3.prefix === undefined ? {} : { prefix: s3.prefix }),
          ...(s3.endpoint === undefined ? {} : { endpoint: s3.endpoint }),
          region: s3.region,
          forcePathStyle: s3.forcePathStyle,
        },
      }
    : { filesystem: { path: storage.filesystem!.path } };
}

/**
 * The spec's strategy as written: the spec and the runtime share its keys (runtime/rest/restart-strategy.ts),
 * so the JobManager runs exactly what the StreamJob asks for. Keys of other strategy types are left out,
 * since the runtime refuses them.
 */
function restartStrategyConfig(strategy: RestartStrategySpec): Record<string, unknown> {
  const keys = restartStrategyKeys(strategy.type);
  return Object.fromEntries(Object.entries(strategy).filter(([key, value]) => value !== undefined && (key === 'type' || (keys as string[]).includes(key))));
}

/**
 * `spec.configuration` ("further runtime configuration, passed as written") as the runtime's
 * `SLUICE_*` variables: `network.bufferTimeout` → `SLUICE_NETWORK__BUFFER_TIMEOUT`. Variables, not
 * the file, because the runtime parses numbers and booleans from them and the spec holds strings.
 */
export function configurationEnv(configuration: Record<string, string> | undefined): { name: string; value: string }[] {
  return Object.entries(configuration ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({
      name: `SLUICE_${key
        .split('.')
        .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase())
        .join('__')}`,
      value,
    }));
}

/**
 * A runtime configuration object (as {@link runtimeConfig} renders it) as `SLUICE_*` variables, for a
 * pod without the run's ConfigMap: nested keys joined by dots, arrays as JSON (runtime
 * config/env-overrides.ts reads `job.args` so).
 */
export function runtimeConfigEnv(config: Record<string, unknown>): { name: string; value: string }[] {
  const flat: Record<string, string> = {};
  const walk = (prefix: string, value: unknown): void => {
    if (value === undefined) return;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(prefix === '' ? key : `${prefix}.${key}`, inner);
    } else {
      flat[prefix] = Array.isArray(value) ? JSON.stringify(value) : String(value);
    }
  };
  walk('', config);
  return configurationEnv(flat);
}
