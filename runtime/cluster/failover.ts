import type { RestartStrategyConfig } from '../config/index.ts';
import type { ExceptionInfo } from '../rest/rest-types.ts';
import { errorInfo } from './error-info.ts';
import { createRestartStrategy, type RestartStrategy } from './restart-strategy.ts';

const MAX_EXCEPTIONS = 16;

/** What to do about a failure: restart after `delay` ms, or fail the job with `error` (its reason appended). */
export type FailoverDecision = { readonly restart: true; readonly delay: number } | { readonly restart: false; readonly error: Error };

/**
 * A job's failures and restarts: asks the restart strategy what each failure means, keeps the
 * pending restart's timer and the restart count, and the exception history REST shows (newest
 * first, at most 16).
 */
export class Failover {
  private readonly strategy: RestartStrategy;
  private readonly exceptions: ExceptionInfo[] = [];
  private timer: NodeJS.Timeout | null = null;
  private restartCount = 0;

  constructor(config: RestartStrategyConfig) {
    this.strategy = createRestartStrategy(config);
  }

  get restarts(): number {
    return this.restartCount;
  }

  /** A restart is waiting for its delay. */
  get restartPending(): boolean {
    return this.timer !== null;
  }

  /** The restart strategy decides; a restart is recorded in the history here, a failure by the caller. */
  decide(error: unknown, taskName: string | null, taskManagerId: string | null): FailoverDecision {
    const decision = this.strategy.onFailure(Date.now());
    if (!decision.restart) {
      const cause = error instanceof Error ? error : new Error(String(error));
      return { restart: false, error: Object.assign(new Error(`${cause.message} (${decision.reason})`), { name: cause.name, stack: cause.stack }) };
    }
    this.record(error, taskName, taskManagerId);
    this.restartCount++;
    return decision;
  }

  /** Runs `restart` after `delayMs`, unless cancelled first. */
  restartAfter(delayMs: number, restart: () => void): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      restart();
    }, delayMs);
  }

  cancelRestart(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  record(error: unknown, taskName: string | null, taskManagerId: string | null): void {
    const info = errorInfo(error);
    this.exceptions.unshift({ exceptionName: info.name, message: info.message, stacktrace: info.stack, timestamp: Date.now(), taskName, taskManagerId });
    if (this.exceptions.length > MAX_EXCEPTIONS) this.exceptions.length = MAX_EXCEPTIONS;
  }

  history(): { rootException: ExceptionInfo | null; history: readonly ExceptionInfo[] } {
    return { rootException: this.exceptions[0] ?? null, history: [...this.exceptions] };
  }
}
