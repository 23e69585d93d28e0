import pino, { type Logger } from 'pino';

/** The runtime's structured log: JSON lines on stderr (stdout belongs to job output). Level from SLUICE_LOG_LEVEL. */
export const logger: Logger = pino({ name: 'sluice', level: process.env.SLUICE_LOG_LEVEL ?? 'info' }, pino.destination(2));
