import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { S3Client } from '@aws-sdk/client-s3';
import type { E2eCluster } from '../support/cluster.ts';
import { RELEASE, chart, startOperatorHarness, type OperatorHarness, type OperatorProcess } from '../operator/operator-harness.ts';
import { prepareCountingJobs } from '../support/stream-job-runs.ts';
import { runChaosSoak, summary, type ChaosSoakFigure } from './chaos-soak.ts';

// Issue 12 item 8. In `npm test` a short soak (one seed, 4 processes SIGKILLed, at most 1 pod deleted, as the seed falls);
// `npm run soak` runs the long one: SLUICE_SOAK_SEEDS seeds in a row (default 3), each with
// SLUICE_SOAK_KILLS processes SIGKILLed (default 22) and SLUICE_SOAK_RECORDS records. A seed replays
// the same faults at the same moments: SLUICE_SOAK_SEED=<n> runs that one.
const NAMESPACE = 'e2e-soak';
const BUCKET = 'e2e-soak';
const env = process.env;
const long = env.SLUICE_SOAK === 'long';
const kills = Number(env.SLUICE_SOAK_KILLS ?? (long ? 22 : 4));
const records = Number(env.SLUICE_SOAK_RECORDS ?? (long ? 2000 : 150));
const rate = Number(env.SLUICE_SOAK_RATE ?? (long ? 25 : 15));
const firstSeed = Number(env.SLUICE_SOAK_SEED ?? Date.now() % 1_000_000);
const seeds = Array.from({ length: Number(env.SLUICE_SOAK_SEEDS ?? (long ? 3 : 1)) }, (_, i) => firstSeed + i);
let harness: OperatorHarness;
let cluster: E2eCluster;
let s3: S3Client;
let operator: OperatorProcess;
let restarts = 0;

// The operator runs as the chart runs it, outside the cluster under the chart's ServiceAccount and rules
// (operator-harness.ts), so that a SIGKILL hits its process and a new one takes the Lease over.
beforeAll(async () => {
  harness = await startOperatorHarness(NAMESPACE);
  cluster = harness.cluster;
  s3 = await prepareCountingJobs(cluster, BUCKET, RELEASE, chart);
  operator = await harness.startOperator('operator-0');
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await harness?.stop();
}, 90_000);

/** SIGKILL, then a new process, as the operator's Deployment restarts its pod. */
async function killOperator(): Promise<string> {
  const killed = operator.identity;
  await operator.stop('SIGKILL');
  operator = await harness.startOperator(`operator-${++restarts}`);
  return killed;
}

describe('chaos soak', () => {
  it(`commits exactly the expected output through ${kills} SIGKILLs of TaskManagers, the JobManager and the operator and pod deletions, for ${seeds.length} seed${seeds.length === 1 ? '' : 's'} in a row`, async () => {
    const figures: ChaosSoakFigure[] = [];
    for (const seed of seeds) {
      const figure = await runChaosSoak(cluster, { seed, kills, podDeletions: Math.max(1, Math.round(kills / 8)), records, rate, maxPauseMs: long ? 2000 : 1000, bucket: BUCKET, name: `soak-${seed}`, killOperator, log: (line) => process.stdout.write(`${line}\n`) });
      figures.push(figure);
      await cluster.kubectlOk(['delete', 'sj', `soak-${seed}`, '--timeout=60s']);
    }
    process.stdout.write(`${figures.map(summary).join('\n')}\n`);
    for (const f of figures) {
      expect([f.seed, f.lost, f.duplicated, f.equal]).toEqual([f.seed, 0, 0, true]);
      expect(f.killsByKind.taskmanager + f.killsByKind.jobmanager + f.killsByKind.operator).toBeGreaterThanOrEqual(kills);
      expect(f.faults.filter((x) => x.checkpointsLost !== undefined && x.checkpointsLost > 0)).toEqual([]);
    }
  }, (long ? 3600 : 240) * 1000);
});
