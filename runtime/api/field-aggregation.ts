export type AggregationKind = 'sum' | 'min' | 'max';

function notNumbers(kind: AggregationKind, a: unknown, b: unknown): never {
  throw new TypeError(`${kind}() needs numbers, got ${typeof a} and ${typeof b}`);
}

const combiners: Record<AggregationKind, (a: number, b: number) => number> = {
  sum: (a, b) => (typeof a === 'number' && typeof b === 'number' ? a + b : notNumbers('sum', a, b)),
  min: (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : notNumbers('min', a, b)),
  max: (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : notNumbers('max', a, b)),
};

/**
 * The reduce function behind sum/min/max: numbers are combined directly; for records, the
 * field is combined into a copy of the first record (other fields keep the first record's values).
 */
export function fieldAggregation<T>(kind: AggregationKind, field: string | number | undefined): (a: T, b: T) => T {
  const combine = combiners[kind];
  if (field === undefined) return combine as unknown as (a: T, b: T) => T;
  return (a, b) => {
    const copy = (Array.isArray(a) ? [...a] : { ...a }) as Record<string | number, unknown>;
    copy[field] = combine((a as Record<string | number, number>)[field]!, (b as Record<string | number, number>)[field]!);
    return copy as T;
  };
}
