// Throughput of a keyed job with checkpoints every second (exactly-once, barrier alignment,
// state uploaded to filesystem storage) against the same job without checkpoints, in one process;
// and, across JobManager/TaskManager processes, the time from a TaskManager SIGKILL to the first
// record processed after the restore, against a cold start of the same cluster to its first record.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WatermarkStrategy, type Sink } from '../runtime/api/index.ts';
import { startCheckpointedLocalJob } from '../runtime/checkpoint/checkpointed-local-job.ts';
import { FilesystemObjectStore } from '../runtime/fs/filesystem-object-store.ts';
import { LocalExecutor } from '../runtime/cluster/local-executor.ts';
import { GeneratorSource } from '../runtime/connectors/generator-source.ts';
import type { JobGraph } from '../runtime/graph/job-graph.ts';
import type { CheckpointingStatistics, JobDetails } from '../runtime/rest/rest-types.ts';
import { Cluster } from '../test/integration/cluster/cluster-fixture.ts';
import type { BenchResult } from './bench-result.ts';
import { localEnvironment } from '../runtime/cluster/local-environment.ts';

const RECORDS = 4_000_000;
const KEYS = 10_000;
const ROUNDS = 4;

/** Counts what arrives, so the sink costs the same in both runs. */
const countingSink: Sink<unknown> = { createWriter: () => ({ write() {} }) };

function job(): JobGraph {
  const env = localEnvironment().setParallelism(2);
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
  return [...(await throughput()), await recovery()];
}

/** Records the counting vertex (after the keyBy) processed in the current attempt. */
const countsRecordsIn = (d: JobDetails) => d.vertices[1]?.subtasks.reduce((a, s) => a + s.recordsIn, 0) ?? 0;

async function recovery(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-recovery-bench-'));
  const cluster = new Cluster({
    entry: 'test/integration/checkpoint/jobs/counting-exactly-once.ts',
    args: [join(dir, 'out'), '100000000', '20000'],
    parallelism: 2,
    taskManagers: 2,
    config: {
      restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '100ms' },
      checkpointing: { interval: '1s', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(dir, 'checkpoints') } } },
    },
  });
  try {
    const started = performance.now();
    await cluster.start();
    await cluster.waitForDetails('first records counted', (d) => d.state === 'RUNNING' && countsRecordsIn(d) > 0);
    const coldStart = performance.now() - started;
    const deadline = Date.now() + 30_000;
    while ((await cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`)).counts.completed < 2) {
      if (Date.now() > deadline) throw new Error('no checkpoint completed within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const killed = performance.now();
    cluster.taskManagers[1]!.child.kill('SIGKILL');
    cluster.startTaskManager('tm-1-again');
    await cluster.waitForDetails('records counted after the restore', (d) => d.attempt >= 2 && d.state === 'RUNNING' && countsRecordsIn(d) > 0, 60_000);
    const recovered = performance.now() - killed;
    return { name: 'recovery: TaskManager SIGKILL to first record after restore, vs cold start (lower is better)', unit: 'ms', value: recovered, baseline: coldStart, ratio: recovered / coldStart };
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function throughput(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-checkpoint-bench-'));
  const storage = new FilesystemObjectStore(dir);
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
