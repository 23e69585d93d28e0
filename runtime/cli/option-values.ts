import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/index.ts';

/** Commander's parser of an option that takes a count: an integer ≥ 1. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

/** Commander's parser of an option that takes a duration with a unit (`500ms`, `10s`, `1m`), in milliseconds. */
export function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
