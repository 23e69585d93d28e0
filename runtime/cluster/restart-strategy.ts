import type { RestartStrategyConfig } from '../config/index.ts';

/** What the restart strategy decides after a failure at `now`: wait `delay` ms and restart, or fail the job. */
export type RestartDecision = { readonly restart: true; readonly delay: number } | { readonly restart: false; readonly reason: string };

/** Flink's restart strategies: asked once per failure, in order, with the failure's time. */
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
          restarts < config.attempts
            ? (restarts++, { restart: true, delay: config.delay })
            : { restart: false, reason: `restart strategy "fixed-delay" exhausted its ${config.attempts} attempts` },
      };
    }
    case 'exponential-delay': {
      let next = config.initialDelay;
      let lastFailure = -Infinity;
      return {
        onFailure(now) {
          // A long quiet run means the job is healthy again: start over from the initial delay.
          if (now - lastFailure >= config.resetAfter) next = config.initialDelay;
          lastFailure = now;
          const delay = next;
          next = Math.min(config.maxDelay, Math.round(next * config.multiplier));
          return { restart: true, delay };
        },
      };
    }
    case 'failure-rate': {
      const failures: number[] = [];
      return {
        onFailure(now) {
          failures.push(now);
          while (failures.length > 0 && failures[0]! <= now - config.interval) failures.shift();
          return failures.length > config.maxFailures
            ? { restart: false, reason: `restart strategy "failure-rate": ${failures.length} failures within ${config.interval} ms exceed maxFailures ${config.maxFailures}` }
            : { restart: true, delay: config.delay };
        },
      };
    }
  }
}
