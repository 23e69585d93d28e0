import { unitQuantity } from './unit-quantity.ts';

/**
 * Durations in configuration are strings with a unit — `500ms`, `10s`, `1.5m`, `1h`, `2d` — so a
 * bare `10` can never be misread as seconds when milliseconds were meant. Parsed to milliseconds.
 */
const DURATION = unitQuantity({ name: 'duration', units: { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }, whole: 'milliseconds', examples: '"500ms" or "10s"' });

export const parseDuration = DURATION.parse;
export const isDuration = DURATION.is;
/** The shortest exact spelling of a number of milliseconds, e.g. 90000 → "90s". */
export const formatDuration = DURATION.format;
