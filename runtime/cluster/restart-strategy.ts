import { formatDuration, type RestartStrategyConfig } from '../config/index.ts';
import type { RestartStrategyInfo } from '../rest/restart-strategy.ts';

/** What the restart strategy decides after a failure at `now`: wait `delay` ms and restart, or fail the job. */
export type RestartDecision = { readonly restart: true; readonly delay: number } | { readonly restart: false; readonly reason: string };

/**
 * Flink's restart strategies (keys and defaults: runtime/rest/restart-strategy.ts): asked once per
 * failure, in order, with the failure's time.
 */
export interface RestartStrategy {
  onFailure(now: number): RestartDecision;
}

export function createRestartStrategy(config: RestartStrategyConfig): RestartStrategy {
  switch (config.type) {
    case 'none':
      return { onFailure: () => ({ restart: false, reason: 'restart strategy "none" does not restart' }) };
    case 'fixed-delay': {
      let restarts = 0;
      return {
        onFailure: () =>
          config.attempts === undefined || restarts < config.attempts
            ? (restarts++, { restart: true, delay: config.delay })
            : { restart: false, reason: `restart strategy "fixed-delay" exhausted its ${config.attempts} attempts` },
      };
    }
    case 'exponential-delay': {
      let next = config.initialDelay;
      let restarts = 0;
      let lastFailure = -Infinity;
      return {
        onFailure(now) {
          // A long quiet run means the job is healthy again: start over from the initial delay, with all attempts.
          if (now - lastFailure >= config.resetBackoffThreshold) {
            next = config.initialDelay;
            restarts = 0;
          }
          lastFailure = now;
          if (config.attempts !== undefined && restarts >= config.attempts) {
            return { restart: false, reason: `restart strategy "exponential-delay" exhausted its ${config.attempts} attempts` };
          }
          restarts++;
          const delay = next;
          next = Math.min(config.maxDelay, Math.round(next * config.backoffMultiplier));
          return { restart: true, delay };
        },
      };
    }
    case 'failure-rate': {
      const failures: number[] = [];
      return {
        onFailure(now) {
          failures.push(now);
          while (failures.length > 0 && failures[0]! <= now - config.failureInterval) failures.shift();
          return failures.length > config.maxFailuresPerInterval
            ? {
                restart: false,
                reason: `restart strategy "failure-rate": ${failures.length} failures within ${config.failureInterval} ms exceed maxFailuresPerInterval ${config.maxFailuresPerInterval}`,
              }
            : { restart: true, delay: config.delay };
        },
      };
    }
  }
}

/** The strategy as REST reports it (`GET /jobs/:id/config`): the keys of the configuration, durations spelled as written. */
export function restartStrategyInfo(config: RestartStrategyConfig): RestartStrategyInfo {
  switch (config.type) {
    case 'none':
      return { type: 'none' };
    case 'fixed-delay':
      return { type: config.type, ...(config.attempts === undefined ? {} : { attempts: config.attempts }), delay: formatDuration(config.delay) };
    case 'exponential-delay':
      return {
        type: config.type,
        ...(config.attempts === undefined ? {} : { attempts: config.attempts }),
        initialDelay: formatDuration(config.initialDelay),
        maxDelay: formatDuration(config.maxDelay),
        backoffMultiplier: config.backoffMultiplier,
        resetBackoffThreshold: formatDuration(config.resetBackoffThreshold),
      };
    case 'failure-rate':
      return {
        type: config.type,
        maxFailuresPerInterval: config.maxFailuresPerInterval,
        failureInterval: formatDuration(config.failureInterval),
        delay: formatDuration(config.delay),
      };
  }
}
