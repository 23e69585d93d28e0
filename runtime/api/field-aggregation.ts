export type AggregationKind = 'sum' | 'min' | 'max';

function combine(kind: AggregationKind, a: number, b: number): number {
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new TypeError(`${kind}() needs numbers, got ${typeof a} and ${typeof b}`);
  }
  return kind === 'sum' ? a + b : kind === 'min' ? Math.min(a, b) : Math.max(a, b);
}

/**
 * The reduce function behind sum/min/max: numbers are combined directly; for records, the
 * field is combined into a copy of the first record (other fields keep the first record's values).
 */
export function fieldAggregation<T>(kind: AggregationKind, field: string | number | undefined): (a: T, b: T) => T {
  if (field === undefined) return (a, b) => combine(kind, a as number, b as number) as T;
  return (a, b) => {
    const copy = (Array.isArray(a) ? [...a] : { ...a }) as Record<string | number, unknown>;
    copy[field] = combine(kind, (a as Record<string | number, number>)[field]!, (b as Record<string | number, number>)[field]!);
    return copy as T;
  };
}
