import type { CheckpointConfig } from '../api/stream-execution-environment.ts';
import type { SluiceConfig } from '../config/index.ts';

/**
 * Which source wins for each checkpointing setting, as in Flink: the job's own
 * `env.enableCheckpointing(interval, mode)` sets the interval and mode (the process configuration's
 * `checkpointing.interval`/`mode` apply only to a job that does not call it); the process
 * configuration alone decides storage, timeout, minPause and retained. Returns the configuration
 * every part of a JobManager or TaskManager then reads.
 */
export function withJobCheckpointing(config: SluiceConfig, job: CheckpointConfig | undefined): SluiceConfig {
  if (job === undefined) return config;
  // The schema's mode is a union made from CHECKPOINTING_MODES, which typebox types as never.
  const mode = job.mode as SluiceConfig['checkpointing']['mode'];
  return { ...config, checkpointing: { ...config.checkpointing, interval: job.interval, mode } };
}
