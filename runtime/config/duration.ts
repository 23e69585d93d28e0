/**
 * Durations in configuration are strings with a unit — `500ms`, `10s`, `1.5m`, `1h`, `2d` — so a
 * bare `10` can never be misread as seconds when milliseconds were meant. Parsed to milliseconds.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export function parseDuration(text: string): number {
  const match = PATTERN.exec(text.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * UNITS[match[2]!]!;
  if (!Number.isSafeInteger(ms)) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: expected a number and a unit (ms, s, m, h, d) giving whole milliseconds, e.g. "500ms" or "10s"`);
  }
  return ms;
}

export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** The shortest exact spelling of a number of milliseconds, e.g. 90000 → "90s". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) if (ms !== 0 && ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  return `${ms}ms`;
}
