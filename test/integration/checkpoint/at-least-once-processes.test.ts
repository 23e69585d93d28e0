import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamExecutionEnvironment } from '../../../runtime/api/index.ts';
import { readSnapshotsAt } from '../../../runtime/checkpoint/restore.ts';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { STRIDE_SPLIT_SERIALIZER } from '../../../runtime/connectors/stride-split.ts';
import { sourceSplits } from '../../support/source-splits.ts';
import { waitFor } from '../../support/processes.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines, KEYS } from './job-fixture.ts';
import numberedCounts from './jobs/numbered-counts.ts';

const JOB = 'test/integration/checkpoint/jobs/numbered-counts.ts';
const dir = mkdtempSync(join(tmpdir(), 'sluice-alo-processes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('at-least-once checkpoints across JobManager and TaskManager processes', () => {
  it('a TaskManager SIGKILLed: every record counted at least once, a record counted twice only after the restored checkpoint, no alignment', async () => {
    const out = join(dir, 'out');
    const total = 12_000;
    const parallelism = 2;
    // Two source subtasks shuffle into two counting subtasks: every counting task has two input channels.
    const cluster = new Cluster({
      entry: JOB,
      args: [out, String(total), '4000'],
      parallelism,
      taskManagers: 2,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 3, delay: '200ms' },
        // Retain every checkpoint, so the restored one can be read afterwards.
        checkpointing: { interval: '300ms', mode: 'at-least-once', timeout: '10s', minPause: '0ms', retained: 1000, storage: { filesystem: { path: join(dir, 'checkpoints') } } },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    let stats: CheckpointingStatistics;
    try {
      await cluster.start();
      await cluster.waitForDetails('all subtasks running', allRunning);
      await waitFor('two checkpoints', async () => ((await checkpoints()).counts.completed >= 2 ? true : undefined));
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      await cluster.replaceTaskManager(0, 'tm-0-again');
      const done = await cluster.waitForState('FINISHED', 90_000);
      expect(done.restarts).toBe(1);
      stats = await checkpoints();
    } finally {
      await cluster.stop();
    }

    // No barrier alignment in at-least-once mode: every completed checkpoint reports 0.
    const completed = stats.history.filter((c) => c.status === 'COMPLETED');
    expect(completed.length).toBeGreaterThanOrEqual(2);
    expect(completed.map((c) => c.alignmentDuration)).toEqual(completed.map(() => 0));
    expect(stats.counts.restored).toBe(1);

    // Where the sources stood at the restored checkpoint: split s of 2 had emitted the numbers s, s+2, ... below `next`.
    const env = new StreamExecutionEnvironment().setParallelism(parallelism);
    numberedCounts(env, [out, String(total), '4000']);
    const sourceId = env.getStreamGraph().nodes.find((n) => n.uid === 'numbers')!.operatorId;
    const { snapshots } = await readSnapshotsAt(stats.latest.restored!.externalPath);
    const splits = snapshots.get(sourceId)!.flatMap((s) => sourceSplits(s, STRIDE_SPLIT_SERIALIZER));
    expect(splits.map((s) => [s.index, s.stride])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const replayedFrom = (n: number) => splits.find((s) => s.index === n % 2)!.next;

    const records = committedLines(out).map((l) => JSON.parse(l) as [number, number]);
    const seen = new Map<number, number>();
    for (const [n] of records) seen.set(n, (seen.get(n) ?? 0) + 1);
    // Every record at least once.
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
    // Twice at most, and only records the sources replayed: emitted after the restored checkpoint's positions.
    const twice = [...seen].filter(([, times]) => times > 1);
    for (const [n, times] of twice) {
      expect(times).toBe(2);
      expect(n).toBeGreaterThanOrEqual(replayedFrom(n));
    }
    // The committed counts of each key go 1, 2, ... without gaps or repeats: the keyed state counted
    // every record it saw once, and the records counted twice are exactly the extra counts.
    let extra = 0;
    for (let k = 0; k < KEYS; k++) {
      const counts = records.filter(([n]) => n % KEYS === k).map(([, c]) => c).sort((a, b) => a - b);
      expect(counts).toEqual(Array.from({ length: counts.length }, (_, i) => i + 1));
      extra += counts.length - total / KEYS;
    }
    expect(extra).toBe(twice.length);
  }, 150_000);
});
