import { formatDuration } from './duration.ts';
import { formatSize } from './size.ts';
import type { SluiceConfig } from './config-schema.ts';

/** The keys the rules look at. */
type Constrained = Pick<SluiceConfig, 'heartbeat' | 'restartStrategy'> & { network: Omit<SluiceConfig['network'], 'maxFrameSize'> & { maxFrameSize?: number } } & { job: Pick<SluiceConfig['job'], 'parallelism' | 'maxParallelism'> };

/** Rules between keys, which a JSON schema cannot say; one line per broken rule. Pure. */
export function constraintProblems(config: Constrained): string[] {
  const problems: string[] = [];
  const { job, heartbeat, network, restartStrategy } = config;
  if (job.parallelism > job.maxParallelism) {
    problems.push(`config key "job.parallelism": must not exceed job.maxParallelism (${job.maxParallelism}), got ${job.parallelism}`);
  }
  if (heartbeat.timeout <= heartbeat.interval) {
    problems.push(
      `config key "heartbeat.timeout": must be longer than heartbeat.interval (${formatDuration(heartbeat.interval)}), got ${formatDuration(heartbeat.timeout)}`,
    );
  }
  if (network.maxFrameSize !== undefined && network.maxFrameSize < network.bufferSize) {
    problems.push(`config key "network.maxFrameSize": must be at least network.bufferSize (${formatSize(network.bufferSize)}), got ${formatSize(network.maxFrameSize)}`);
  }
  if (restartStrategy.type === 'exponential-delay' && restartStrategy.maxDelay < restartStrategy.initialDelay) {
    problems.push(
      `config key "restartStrategy.maxDelay": must be at least restartStrategy.initialDelay (${formatDuration(restartStrategy.initialDelay)}), got ${formatDuration(restartStrategy.maxDelay)}`,
    );
  }
  return problems;
}
