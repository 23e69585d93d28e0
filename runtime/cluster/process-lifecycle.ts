import type { Logger } from 'pino';
import type { SluiceConfig } from '../config/index.ts';
import { logger } from './logger.ts';

/** The process logger at the configured level (SLUICE_LOG_LEVEL, when set, wins). */
export function processLogger(config: SluiceConfig, bindings: Record<string, string>): Logger {
  if (process.env.SLUICE_LOG_LEVEL === undefined) logger.level = config.logging.level;
  return logger.child(bindings);
}

const SHUTDOWN_GRACE_MS = 4000;

/**
 * Runs `stop` once and exits on SIGTERM/SIGINT, and when the parent that started this process
 * over an IPC channel goes away (even SIGKILLed: the channel closes), so no child is orphaned.
 */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason: why }, 'shutting down');
    setTimeout(() => {
      log.error({ graceMs: SHUTDOWN_GRACE_MS }, `shutdown did not complete within ${SHUTDOWN_GRACE_MS} ms; exiting`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, `shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (process.send !== undefined) process.on('disconnect', () => shutdown('parent process gone'));
}
