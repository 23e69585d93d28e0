import { describe, expect, it } from '@jest/globals';
import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { LocalExecutor } from '../../../runtime/cluster/local-executor.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';
import type { OperatorSnapshot } from '../../../runtime/state/state-snapshot.ts';
import { STRIDE_SPLIT_SERIALIZER } from '../../../runtime/connectors/stride-split.ts';
import { sourceSplits } from '../../support/source-splits.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';

const total = 3000;
const keys = 10;

/**
 * The job: a rate-limited numbered source, a running count per key. Same module, any parallelism.
 * Each counting subtask has one input channel, so the (non-aligning) barrier tracker is exact here.
 */
function build(env: StreamExecutionEnvironment, sink: CollectSink<[number, number]>): void {
  env
    .fromSource(
      new GeneratorSource({ count: total, recordsPerSecond: 15_000, generate: (n) => n }),
      WatermarkStrategy.noWatermarks(),
      'Numbers',
    )
    .uid('numbers')
    .setParallelism(1)
    .map((n: number): [number, number] => [n % keys, 1])
    .setParallelism(1)
    .keyBy(([k]) => k)
    .sum(1)
    .uid('counts')
    .sinkTo(sink);
}

describe('checkpoint and restore through the local executor', () => {
  it('restores source positions and keyed counts into another parallelism, and ends with exact totals', async () => {
    const first = new CollectSink<[number, number]>();
    const env1 = localEnvironment().setParallelism(2);
    build(env1, first);
    const job1 = new LocalExecutor().start(env1.getJobGraph('counting'));
    const failed = job1.result.catch((e: unknown) => e);
    // Let some records flow, then checkpoint and stop the job as a crash would.
    const deadline = Date.now() + 10_000;
    while (first.values.length < 300 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const acks = await job1.triggerCheckpoint(1);
    job1.cancel();
    expect((await failed) as Error).toHaveProperty('name', 'TaskCancelledError');

    const snapshots = new Map<string, OperatorSnapshot[]>();
    for (const ack of acks) for (const s of ack.snapshots) snapshots.set(s.operatorId, [...(snapshots.get(s.operatorId) ?? []), s]);
    const sourceState = snapshots.get(env1.getStreamGraph().nodes.find((n) => n.uid === 'numbers')!.operatorId)!;
    // Every subtask acknowledged: the source chain and two counting subtasks.
    expect(acks.map((a) => a.subtaskIndex).sort()).toEqual([0, 0, 1]);
    const [split] = sourceSplits(sourceState[0]!, STRIDE_SPLIT_SERIALIZER);
    expect(split!.next).toBeGreaterThanOrEqual(300);
    expect(split!.next).toBeLessThan(total);

    const second = new CollectSink<[number, number]>();
    const env2 = localEnvironment().setParallelism(3);
    build(env2, second);
    await new LocalExecutor({ restore: snapshots }).execute(env2.getJobGraph('counting'));

    // Every key ends at its exact total, counting on from where the checkpoint left it.
    const finals = new Map<number, number>();
    for (const [k, c] of second.values) finals.set(k, c);
    expect([...finals].sort((a, b) => a[0] - b[0])).toEqual(Array.from({ length: keys }, (_, k) => [k, total / keys]));
    // The restored run processed only what came after the checkpoint.
    const countedBefore = new Map<number, number>();
    for (const [k, c] of second.values) if (!countedBefore.has(k)) countedBefore.set(k, c - 1);
    const atCheckpoint = [...countedBefore.values()].reduce((a, b) => a + b, 0);
    expect(second.values.length).toBe(total - atCheckpoint);
    // Barriers follow the records before them: the counts hold exactly the records the source had emitted.
    expect(atCheckpoint).toBe(split!.next);
  });
});

describe('checkpoint triggers that cannot complete', () => {
  it('are rejected with a reason instead of hanging', async () => {
    const env = localEnvironment();
    env.fromElements(1, 2, 3).sinkTo(new CollectSink<number>());
    const job = new LocalExecutor({ jobId: 'short' }).start(env.getJobGraph('short'));
    await job.result;
    await expect(job.triggerCheckpoint(1)).rejects.toThrow(
      'cannot take checkpoint 1 of job short: subtasks no longer running: Source: Collection -> Sink (1/1)',
    );
  });
});
