import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CollectSink, FileSource, GeneratorSource, StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from '../../../../runtime/api/index.ts';
import { LocalExecutor } from '../../../../runtime/cluster/local-executor.ts';
import { CollectionSource } from '../../../../runtime/connectors/collection-source.ts';
import type { AnySource } from '../../../../runtime/connectors/source.ts';
import { STRIDE_SPLIT_SERIALIZER } from '../../../../runtime/connectors/stride-split.ts';
import { SourceCoordinator } from '../../../../runtime/cluster/source-coordinator.ts';
import { SOURCE_RESTORED_MARKER, SourceOperator } from '../../../../runtime/operators/source-operator.ts';
import { assignStateToSubtask, decodeEntry, type OperatorSnapshot, type OperatorStateRestore } from '../../../../runtime/state/state-snapshot.ts';
import { harness } from '../../../support/operator-harness.ts';
import { sourceSplits } from '../../../support/source-splits.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

/** Takes checkpoint 1 once `ready()`, cancels the job as a crash would, and returns the snapshots per operator id. */
async function checkpointAndCrash(env: StreamExecutionEnvironment, ready: () => boolean): Promise<Map<string, OperatorSnapshot[]>> {
  const job = new LocalExecutor().start(env.getJobGraph('job'));
  const ended = job.result.catch((e: unknown) => e);
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('the job did not get going within 10 s');
    await new Promise((r) => setTimeout(r, 5));
  }
  const acks = await job.triggerCheckpoint(1);
  job.cancel();
  expect(await ended).toHaveProperty('name', 'TaskCancelledError');
  const snapshots = new Map<string, OperatorSnapshot[]>();
  for (const ack of acks) for (const s of ack.snapshots) snapshots.set(s.operatorId, [...(snapshots.get(s.operatorId) ?? []), s]);
  return snapshots;
}

const sourceOperatorId = (env: StreamExecutionEnvironment) => env.getStreamGraph().nodes.find((n) => n.uid === 'numbers')!.operatorId;

describe('a source restored at another parallelism', () => {
  const total = 4000;
  const numbers = (env: StreamExecutionEnvironment, sink: CollectSink<number>, recordsPerSecond: number) =>
    env.fromSource(new GeneratorSource({ count: total, recordsPerSecond, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers').uid('numbers').sinkTo(sink);

  it.each([3, 1])('from 2 subtasks into %i emits exactly the numbers after the checkpoint, none twice', async (parallelism) => {
    const first = new CollectSink<number>();
    const env1 = localEnvironment().setParallelism(2);
    numbers(env1, first, 8000);
    const snapshots = await checkpointAndCrash(env1, () => first.values.length >= 200);
    const source = snapshots.get(sourceOperatorId(env1))!;
    // Every subtask records the marker, so any restore knows the source was checkpointed.
    for (const s of source) expect(s.operatorState.find((l) => l.name === SOURCE_RESTORED_MARKER)!.entries.map(decodeEntry)).toEqual([true]);
    const splits = source.flatMap((s) => sourceSplits(s, STRIDE_SPLIT_SERIALIZER));
    expect(splits.map((s) => s.index).sort()).toEqual([0, 1]);

    const second = new CollectSink<number>();
    const env2 = localEnvironment().setParallelism(parallelism);
    numbers(env2, second, 1_000_000);
    await new LocalExecutor({ restore: snapshots }).execute(env2.getJobGraph('job'));
    const expected: number[] = [];
    for (const s of splits) for (let n = s.next; n < total; n += s.stride) expected.push(n);
    expect(expected.length).toBeLessThan(total - 100);
    expect([...second.values].sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
  });

  it('a continuous source subtask restored without splits is told none will come and ends: event-time windows downstream still fire', async () => {
    // Event time = sequence number; windows of 100 per key; the window operator has one input channel per source subtask.
    const build = (env: StreamExecutionEnvironment, sink: CollectSink<string>, recordsPerSecond: number) =>
      env
        .fromSource(
          new GeneratorSource({ recordsPerSecond, generate: (n) => n, timestamp: (n) => n }),
          WatermarkStrategy.forMonotonousTimestamps<number>(),
          'Numbers',
        )
        .uid('numbers')
        .keyBy((n) => n % 2)
        .window(TumblingEventTimeWindows.of(100))
        .reduce((a, b) => Math.max(a, b))
        .setParallelism(1)
        .map((max: number) => `window ending at ${max}`)
        .setParallelism(1)
        .sinkTo(sink)
        .setParallelism(1);
    const first = new CollectSink<string>();
    const env1 = localEnvironment().setParallelism(1);
    build(env1, first, 5000);
    const snapshots = await checkpointAndCrash(env1, () => first.values.length >= 2);

    const second = new CollectSink<string>();
    const env2 = localEnvironment().setParallelism(2);
    build(env2, second, 5000);
    const job = new LocalExecutor({ restore: snapshots }).start(env2.getJobGraph('job'));
    const ended = job.result.catch((e: unknown) => e);
    try {
      const deadline = Date.now() + 10_000;
      while (second.values.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // The subtask without splits ended with the final watermark, so it holds the window operator's watermark back no more.
      expect(second.values.length).toBeGreaterThanOrEqual(2);
      const sources = job.tasks.filter((t) => t.vertex.isSource);
      expect(sources.map((t) => t.isRunning)).toEqual([true, false]);
      expect(sources.map((t) => t.metrics()[0]!.recordsOut > 0)).toEqual([true, false]);
    } finally {
      job.cancel();
      await ended;
    }
  });
});

/**
 * The subtasks of one source driven directly, each SourceOperator in a harness, beside a real
 * SourceCoordinator whose events are delivered at once: a job of that source without a task. Polls
 * every subtask until it ended or emitted `limit` records, then takes checkpoint 1.
 */
async function runSource<T>(source: AnySource<T>, parallelism: number, restore: (subtask: number) => OperatorStateRestore | undefined, limit = Number.POSITIVE_INFINITY) {
  const operators: SourceOperator<T>[] = [];
  const coordinator = new SourceCoordinator({
    source,
    name: 'Under Test',
    parallelism,
    send: (subtask, event) => operators[subtask]!.handleCoordinatorEvent(event),
    fail: (e) => {
      throw e;
    },
  });
  const outputs = Array.from({ length: parallelism }, (_, i) => {
    const operator = new SourceOperator(source, undefined, 200);
    operator.setReaderEventGateway((event) => coordinator.handleReaderEvent(i, event));
    operators.push(operator);
    return harness(operator, { parallelism, subtaskIndex: i, restore: restore(i) }).output as T[];
  });
  const statuses = operators.map(() => 'more-available');
  const done = (i: number) => statuses[i] === 'end-of-input' || outputs[i]!.length >= limit;
  const deadline = Date.now() + 5000;
  while (!operators.every((_, i) => done(i))) {
    if (Date.now() > deadline) throw new Error(`the source did not end: ${statuses.join(', ')}`);
    operators.forEach((o, i) => {
      if (!done(i)) statuses[i] = o.emitNext(Math.min(10, limit - outputs[i]!.length));
    });
    // The enumerator's discovery and answers happen between polls, on the event loop.
    await new Promise((r) => setImmediate(r));
  }
  coordinator.checkpoint(1);
  const snapshots = operators.map((o) => o.snapshotState(1));
  coordinator.close();
  return { outputs, statuses, snapshots };
}

describe('source subtasks driven directly', () => {
  it('collection source: 2 subtasks restored into 3, the third gets no split and ends at once', async () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const source = new CollectionSource(values);
    const before = await runSource(source, 2, () => undefined, 20);
    const after = await runSource(source, 3, (i) => assignStateToSubtask(before.snapshots, 128, 3, i));
    expect(after.statuses).toEqual(['end-of-input', 'end-of-input', 'end-of-input']);
    expect(after.outputs[2]).toEqual([]);
    expect([...before.outputs, ...after.outputs].flat().sort((a, b) => a - b)).toEqual(values);
  });

  it('file source that had read every file: restored, it reads nothing again (its enumerator state has no split left)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-source-restore-'));
    try {
      writeFileSync(join(dir, 'a.txt'), 'one\ntwo\n');
      writeFileSync(join(dir, 'b.txt'), 'three\n');
      const source = new FileSource(dir);
      const first = await runSource(source, 1, () => undefined);
      expect(first.outputs).toEqual([['one', 'two', 'three']]);
      // No split is left with the reader; the enumerator's state is in subtask 0's snapshot.
      expect(first.snapshots[0]!.operatorState.map((l) => l.name).sort()).toEqual(['enumerator', SOURCE_RESTORED_MARKER]);
      const again = await runSource(source, 2, (i) => assignStateToSubtask(first.snapshots, 128, 2, i));
      expect(again.outputs).toEqual([[], []]);
      expect(again.statuses).toEqual(['end-of-input', 'end-of-input']);
      // A fresh start lists the files again.
      expect((await runSource(source, 2, () => undefined)).outputs.flat().sort()).toEqual(['one', 'three', 'two']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
