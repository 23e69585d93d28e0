/** Flink's restart strategies, by their Flink names. */
export const RESTART_STRATEGY_TYPES = ['none', 'fixed-delay', 'exponential-delay', 'failure-rate'] as const;
export type RestartStrategyType = (typeof RESTART_STRATEGY_TYPES)[number];

/** The strategy of a job that names none (Flink's default for a job with checkpointing). */
export const DEFAULT_RESTART_STRATEGY_TYPE: RestartStrategyType = 'exponential-delay';

/**
 * One key of a restart strategy: the unit it is written in, the strategies it belongs to, its default
 * and what it means. `duration` keys are written with a unit (`500ms`, `10s`, `1m`); a key without
 * a default is unlimited when absent.
 */
export interface RestartStrategyKey {
  readonly kind: 'duration' | 'count' | 'factor';
  readonly types: readonly RestartStrategyType[];
  readonly default?: string | number;
  readonly minimum?: number;
  readonly description: string;
}

/**
 * Every key of every restart strategy, with its default: the one table from which the StreamJob CRD
 * (`spec.restartStrategy`), the runtime configuration (`restartStrategy`) and the README's tables are
 * made, so that a StreamJob's strategy reaches the JobManager under the same names and means the same.
 */
export const RESTART_STRATEGY_KEYS = {
  attempts: {
    kind: 'count',
    types: ['fixed-delay', 'exponential-delay'],
    minimum: 0,
    description: 'restarts before the job fails',
  },
  delay: { kind: 'duration', types: ['fixed-delay', 'failure-rate'], default: '1s', description: 'wait before each restart' },
  initialDelay: { kind: 'duration', types: ['exponential-delay'], default: '1s', description: 'wait before the first restart' },
  maxDelay: { kind: 'duration', types: ['exponential-delay'], default: '1m', description: 'the wait never grows beyond this' },
  backoffMultiplier: { kind: 'factor', types: ['exponential-delay'], default: 2, minimum: 1, description: 'factor between two waits' },
  resetBackoffThreshold: {
    kind: 'duration',
    types: ['exponential-delay'],
    default: '1h',
    description: 'running this long without a failure starts the waits (and attempts) over',
  },
  maxFailuresPerInterval: {
    kind: 'count',
    types: ['failure-rate'],
    default: 1,
    minimum: 1,
    description: 'restarts allowed within failureInterval; one more failure in it fails the job',
  },
  failureInterval: { kind: 'duration', types: ['failure-rate'], default: '1m', description: 'the window failures are counted in' },
} as const satisfies Record<string, RestartStrategyKey>;

export type RestartStrategyKeyName = keyof typeof RESTART_STRATEGY_KEYS;

/** The keys of one strategy, in the table's order. */
export function restartStrategyKeys(type: RestartStrategyType): RestartStrategyKeyName[] {
  return (Object.keys(RESTART_STRATEGY_KEYS) as RestartStrategyKeyName[]).filter((key) =>
    (RESTART_STRATEGY_KEYS[key].types as readonly RestartStrategyType[]).includes(type),
  );
}

/**
 * The restart strategy a JobManager runs with, as `GET /jobs/:id` reports it: every key of its type
 * with its value (defaults applied, durations in their shortest spelling), `attempts` absent when unlimited.
 */
export interface RestartStrategyInfo {
  readonly type: RestartStrategyType;
  readonly attempts?: number;
  readonly delay?: string;
  readonly initialDelay?: string;
  readonly maxDelay?: string;
  readonly backoffMultiplier?: number;
  readonly resetBackoffThreshold?: string;
  readonly maxFailuresPerInterval?: number;
  readonly failureInterval?: string;
}
