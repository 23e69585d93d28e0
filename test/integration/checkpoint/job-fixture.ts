import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StreamExecutionEnvironment, WatermarkStrategy, type DataStream } from '../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../runtime/connectors/exactly-once-file-sink.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';
import type { JobGraph } from '../../../runtime/graph/job-graph.ts';

export const KEYS = 10;

/**
 * The counting of the checkpoint tests' jobs: `total` numbers from a rate-limited replayable
 * generator, a running count per key (`[key, count]`), with stable uids so any run restores any other.
 */
export function countedNumbers(env: StreamExecutionEnvironment, total: number, recordsPerSecond: number): DataStream<[number, number]> {
  return env
    .fromSource(new GeneratorSource({ count: total, recordsPerSecond, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .uid('pairs')
    .keyBy(([k]) => k)
    .sum(1)
    .uid('counts');
}

/**
 * The test job: a replayable numbered source (two subtasks), a running count per key at
 * `parallelism` (so every counting subtask aligns barriers of two channels), written with the
 * exactly-once file sink.
 */
export function countingJob(output: string, options: { total: number; parallelism: number; recordsPerSecond: number }): JobGraph {
  const env = new StreamExecutionEnvironment().setParallelism(2);
  countedNumbers(env, options.total, options.recordsPerSecond)
    .setParallelism(options.parallelism)
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(output))
    .uid('committed-counts')
    .setParallelism(options.parallelism);
  return env.getJobGraph('counting');
}

/** Every line an uninterrupted run commits: each key counted from 1 to its total, once. */
export function expectedLines(total: number): string[] {
  const lines: string[] = [];
  for (let k = 0; k < KEYS; k++) for (let c = 1; c <= total / KEYS; c++) lines.push(JSON.stringify([k, c]));
  return lines.sort();
}

/** The committed output: every published part's lines; in-progress parts are hidden dot-files. */
export function committedLines(output: string): string[] {
  return readdirSync(output)
    .filter((f) => !f.startsWith('.'))
    .flatMap((f) => readFileSync(join(output, f), 'utf8').split('\n').filter((l) => l !== ''))
    .sort();
}
