/**
 * One benchmark figure: `value` measured against a `baseline` measured in the same run, so the
 * ratio is comparable across machines while the absolute numbers are not.
 */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  baseline: number;
  /** value / baseline for throughputs; for latencies, say in `name` which way is better. */
  ratio: number;
}
