// Throughput of a keyed job with checkpoints every second (exactly-once, barrier alignment,
// state uploaded to filesystem storage) against the same job without checkpoints, in one process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment, WatermarkStrategy, type Sink } from '../runtime/api/index.ts';
import { startCheckpointedLocalJob } from '../runtime/checkpoint/checkpointed-local-job.ts';
import { FilesystemCheckpointStorage } from '../runtime/checkpoint/filesystem-storage.ts';
import { LocalExecutor } from '../runtime/cluster/local-executor.ts';
import { GeneratorSource } from '../runtime/connectors/generator-source.ts';
import type { JobGraph } from '../runtime/graph/job-graph.ts';
import type { BenchResult } from './bench-result.ts';

const RECORDS = 4_000_000;
const KEYS = 10_000;
const ROUNDS = 4;

/** Counts what arrives, so the sink costs the same in both runs. */
const countingSink: Sink<unknown> = { createWriter: () => ({ write() {} }) };

function job(): JobGraph {
  const env = new StreamExecutionEnvironment().setParallelism(2);
  env
    .fromSource(new GeneratorSource({ count: RECORDS, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
    .uid('numbers')
    .map((n: number): [number, number] => [n % KEYS, 1])
    .keyBy(([k]) => k)
    .sum(1)
    .uid('counts')
    .sinkTo(countingSink);
  return env.getJobGraph('checkpoint-bench');
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

export async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoint-bench-'));
  const storage = new FilesystemCheckpointStorage(dir);
  try {
    let without = Infinity;
    let withCheckpoints = Infinity;
    let completed = 0;
    const plain = async () => (without = Math.min(without, await timed(() => new LocalExecutor().execute(job()))));
    const checkpointed = async (round: number) =>
      (withCheckpoints = Math.min(
        withCheckpoints,
        await timed(async () => {
          const running = await startCheckpointedLocalJob(job(), { storage, scope: { namespace: 'bench', jobName: 'checkpoints' }, jobId: `round-${round}`, interval: 1000 });
          await running.result;
          completed = Math.max(completed, running.stats.statistics().counts.completed);
        }),
      ));
    // Alternating order, best of each: warm-up and garbage left by the previous run favour neither.
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        await plain();
        await checkpointed(round);
      } else {
        await checkpointed(round);
        await plain();
      }
    }
    const perSecond = (ms: number) => (RECORDS / ms) * 1000;
    return [
      {
        name: `keyed job, checkpoints every 1 s (${completed} completed) vs none`,
        unit: 'records/s',
        value: perSecond(withCheckpoints),
        baseline: perSecond(without),
        ratio: without / withCheckpoints,
      },
    ];
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
}
