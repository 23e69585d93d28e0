import pino, { type Logger } from 'pino';

/**
 * The runtime's structured log: JSON lines on stderr (stdout belongs to job output). Level from
 * SLUICE_LOG_LEVEL; silent under jest (NODE_ENV=test) unless set: failures reach tests as errors.
 */
const level = process.env.SLUICE_LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info');
export const logger: Logger = pino({ name: 'sluice', level }, pino.destination(2));
