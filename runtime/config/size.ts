/**
 * Sizes in configuration are strings with a unit — `512b`, `32kb`, `64mb`, `1gb` (powers of
 * 1024, case-insensitive) — parsed to bytes.
 */
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const PATTERN = /^(\d+(?:\.\d+)?)(b|kb|mb|gb)$/;

export function parseSize(text: string): number {
  const match = PATTERN.exec(text.trim().toLowerCase());
  const bytes = match === null ? Number.NaN : Number(match[1]) * UNITS[match[2]!]!;
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(`invalid size ${JSON.stringify(text)}: expected a number and a unit (b, kb, mb, gb) giving whole bytes, e.g. "32kb"`);
  }
  return bytes;
}

export function isSize(text: string): boolean {
  try {
    parseSize(text);
    return true;
  } catch {
    return false;
  }
}

/** The shortest exact spelling of a number of bytes, e.g. 32768 → "32kb". */
export function formatSize(bytes: number): string {
  for (const unit of ['gb', 'mb', 'kb'] as const) if (bytes !== 0 && bytes % UNITS[unit]! === 0) return `${bytes / UNITS[unit]!}${unit}`;
  return `${bytes}b`;
}
