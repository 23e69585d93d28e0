import type { Logger } from 'pino';
import type { SluiceConfig } from '../config/index.ts';
import { logger } from '../core/logger.ts';

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
    if (stopping) {
      // A second signal while stopping: do not wait any longer.
      process.exit(1);
    }
    stopping = true;
    // Armed first, and final: whatever happens below (a log write or exit-time log flush stuck on a
    // dead parent's pipe), the process ends.
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), SHUTDOWN_GRACE_MS).unref();
    quietly(() => log.info({ reason: why }, 'shutting down'));
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        quietly(() => log.error({ err: e }, `shutdown failed: ${(e as Error).message}`));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (process.send !== undefined) process.on('disconnect', () => shutdown('parent process gone'));
}

/** Logging must not stop a shutdown: with the parent gone, stderr may be a broken pipe. */
function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Nothing left to tell it to.
  }
}
