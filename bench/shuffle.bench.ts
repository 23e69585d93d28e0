// The distributed runtime end to end: a JobManager and two TaskManager processes
// (`sluice run --taskmanagers 2`, the local cluster), against the raw limit measured in the same
// run by network.bench.ts (msgpackr encode -> loopback TCP -> decode of the same records, no engine).
//  (a) keyBy shuffle throughput: a generator (parallelism 2) keyed by word into a counting sink
//      (parallelism 2), one subtask of each per TaskManager, so half the records cross TCP.
//  (b) end-to-end latency p50/p99 at a fixed moderate rate (10,000 records/s), generator to sink.
// This file is also the job module the cluster runs (its default export builds the pipeline).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GeneratorSource, WatermarkStrategy, type Sink, type StreamExecutionEnvironment } from '../runtime/api/index.ts';
import { runLocalCluster } from '../runtime/cluster/local-cluster.ts';
import type { BenchResult } from './bench-result.ts';
import { rawLatency, rawThroughput } from './network.bench.ts';

const RECORDS = 4_000_000;
const LATENCY_RATE = 10_000;
const LATENCY_RECORDS = 30_000;
const WORDS = Array.from({ length: 1000 }, (_, i) => `word-${i}`);
/** Sub-millisecond wall clock, comparable between processes on one machine. */
const now = (): number => performance.timeOrigin + performance.now();

interface Shuffled {
  word: string;
  count: number;
  /** Emission time, for latency runs. */
  t?: number;
}

interface SinkReport {
  records: number;
  first: number;
  last: number;
  latencies: number[];
}

/** Counts records and notes when the first and last came; with `latency`, keeps each record's age. */
class MeasuringSink implements Sink<Shuffled> {
  constructor(
    private readonly dir: string,
    private readonly latency: boolean,
  ) {}

  createWriter(ctx: { subtaskIndex: number }) {
    const report: SinkReport = { records: 0, first: 0, last: 0, latencies: [] };
    const { dir, latency } = this;
    return {
      write(value: Shuffled) {
        if (report.records++ === 0) report.first = Date.now();
        if (latency) report.latencies.push(now() - value.t!);
      },
      finish() {
        report.last = Date.now();
        writeFileSync(join(dir, `sink-${ctx.subtaskIndex}.json`), JSON.stringify(report));
      },
    };
  }
}

/** The job: args are the report directory, the record count, and optionally a rate (records/s) for latency. */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [dir, count, rate] = [args[0]!, Number(args[1]), args[2] === undefined ? undefined : Number(args[2])];
  env
    .fromSource(
      new GeneratorSource<Shuffled>({
        count,
        generate: rate === undefined ? (i) => ({ word: WORDS[i % WORDS.length]!, count: i }) : (i) => ({ word: WORDS[i % WORDS.length]!, count: i, t: now() }),
        ...(rate === undefined ? {} : { recordsPerSecond: rate }),
      }),
      WatermarkStrategy.noWatermarks<Shuffled>(),
      'Generator',
    )
    .keyBy((r) => r.word)
    .sinkTo(new MeasuringSink(dir, rate !== undefined))
    .name('Measuring sink');
};

async function runCluster(count: number, rate?: number): Promise<SinkReport[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-shuffle-bench-'));
  try {
    await runLocalCluster({
      job: fileURLToPath(import.meta.url),
      args: [dir, String(count), ...(rate === undefined ? [] : [String(rate)])],
      name: 'shuffle-bench',
      taskManagers: 2,
      parallelism: 2,
    });
    const reports = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as SinkReport);
    const received = reports.reduce((a, r) => a + r.records, 0);
    if (received !== count) throw new Error(`shuffle bench: the sinks got ${received} records, expected ${count}`);
    return reports;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  // The children's logs would drown the table: warnings and errors only.
  process.env.SLUICE_LOG_LEVEL ??= 'warn';
  // Best of three, interleaved with the raw baseline: the machine is shared.
  let raw = 0;
  let shuffle = 0;
  for (let round = 0; round < 3; round++) {
    raw = Math.max(raw, await rawThroughput(RECORDS));
    const reports = await runCluster(RECORDS);
    const seconds = (Math.max(...reports.map((r) => r.last)) - Math.min(...reports.map((r) => r.first))) / 1000;
    shuffle = Math.max(shuffle, RECORDS / seconds);
  }
  const rawLat = await rawLatency();
  const latencies = (await runCluster(LATENCY_RECORDS, LATENCY_RATE)).flatMap((r) => r.latencies).sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const latency = (q: string, value: number, baseline: number): BenchResult => ({
    name: `shuffle: end-to-end latency ${q} at ${LATENCY_RATE / 1000}k rec/s, JM + 2 TMs, vs raw msgpackr+TCP (ms, lower is better)`,
    unit: 'ms',
    value,
    baseline,
    ratio: value / baseline,
  });
  return [
    { name: 'shuffle: keyBy between 2 TaskManager processes, vs raw msgpackr+TCP (records/s)', unit: 'records/s', value: shuffle, baseline: raw, ratio: shuffle / raw },
    latency('p50', at(0.5), rawLat.p50!),
    latency('p99', at(0.99), rawLat.p99!),
  ];
}
