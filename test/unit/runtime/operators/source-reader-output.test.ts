import { describe, expect, it } from '@jest/globals';
import type { InputStatus, ReaderOutput, SourceOutput, SourceReader } from '../../../../runtime/connectors/source-reader.ts';
import type { Source, SourceSplit } from '../../../../runtime/connectors/source.ts';
import { JsonVersionedSerializer } from '../../../../runtime/connectors/json-versioned-serializer.ts';
import { StaticSplitEnumerator } from '../../../../runtime/connectors/static-split-enumerator.ts';
import type { SplitEnumeratorContext } from '../../../../runtime/connectors/split-enumerator-context.ts';
import { SourceCoordinator } from '../../../../runtime/cluster/source-coordinator.ts';
import { WatermarkStrategy } from '../../../../runtime/functions/watermark-strategy.ts';
import { SourceOperator } from '../../../../runtime/operators/source-operator.ts';
import { SourceReaderOutput } from '../../../../runtime/operators/source-reader-output.ts';
import type { Output } from '../../../../runtime/operators/output.ts';
import { ManualProcessingTimeService } from '../../../../runtime/testing/manual-processing-time-service.ts';
import { harness } from '../../../support/operator-harness.ts';

interface PartitionSplit extends SourceSplit {
  next: number;
}

/**
 * Two partitions, as a Kafka topic's, both read by one reader: 'fast' has an event at every
 * timestamp 0, 1, 2, ... (as many per poll as asked), 'slow' has the events at 0..4 and then none
 * for now. The reader emits each partition's events through the partition's own output.
 */
class TwoPartitions implements Source<number, PartitionSplit, PartitionSplit[]> {
  readonly boundedness = 'continuous';
  readonly splitSerializer = new JsonVersionedSerializer<PartitionSplit>('partition', (v) => v as PartitionSplit);
  readonly enumeratorCheckpointSerializer = new JsonVersionedSerializer<PartitionSplit[]>('partitions', (v) => v as PartitionSplit[]);
  createEnumerator(context: SplitEnumeratorContext<PartitionSplit>) {
    return this.restoreEnumerator(context, [
      { splitId: 'fast', next: 0 },
      { splitId: 'slow', next: 0 },
    ]);
  }
  restoreEnumerator(context: SplitEnumeratorContext<PartitionSplit>, pending: PartitionSplit[]) {
    return new StaticSplitEnumerator(context, pending, () => 0);
  }
  createReader(): SourceReader<number, PartitionSplit> {
    const splits: PartitionSplit[] = [];
    const outputs = new Map<string, SourceOutput<number>>();
    return {
      start() {},
      addSplits: (s) => void splits.push(...s.map((x) => ({ ...x }))),
      notifyNoMoreSplits() {},
      pollNext(output: ReaderOutput<number>, max: number): InputStatus {
        for (const s of splits) {
          let out = outputs.get(s.splitId);
          if (out === undefined) outputs.set(s.splitId, (out = output.createOutputForSplit(s.splitId)));
          const last = s.splitId === 'fast' ? s.next + max : Math.min(s.next + max, 5);
          while (s.next < last) out.collect(s.next, s.next++);
        }
        return 'nothing-available';
      },
      available: () => new Promise<void>(() => {}),
      snapshotState: () => splits.map((s) => ({ ...s })),
      close() {},
    };
  }
}

/** The source in a SourceOperator with `strategy`, its coordinator beside it, on processing time the test moves. */
function run(strategy: WatermarkStrategy<number>) {
  const time = new ManualProcessingTimeService();
  const source = new TwoPartitions();
  const operator = new SourceOperator(source, strategy, 200);
  const coordinator = new SourceCoordinator({
    source,
    name: 'Partitions',
    parallelism: 1,
    send: (_, event) => operator.handleCoordinatorEvent(event),
    fail: (e) => {
      throw e;
    },
  });
  operator.setReaderEventGateway((event) => coordinator.handleReaderEvent(0, event));
  const h = harness(operator, { time });
  /** Polls 10 records of the fast partition, then lets 200 ms pass (one watermark interval). */
  const step = () => {
    operator.emitNext(10);
    time.setCurrentTime(time.now() + 200);
  };
  return { h, step };
}

describe('per-split watermarks', () => {
  const strategy = WatermarkStrategy.forMonotonousTimestamps<number>();

  it('emit the minimum over the splits: a slow split holds the watermark back however far the fast one is', () => {
    const { h, step } = run(strategy);
    for (let i = 0; i < 10; i++) step();
    // The fast partition is at 99, the slow one at 4: the watermark is the slow one's, 4 - 1.
    expect(Math.max(...h.output.map(Number))).toBe(99);
    expect(h.watermarks).toEqual([3]);
  });

  it('leave out a split idle for the idleness timeout: the watermark follows the active one', () => {
    const { h, step } = run(strategy.withIdleness(1000));
    // The slow partition's last event came at 0 ms; from 1200 ms on (the periodic check after the timeout) it is idle.
    for (let i = 0; i < 5; i++) step();
    expect(h.watermarks).toEqual([3]);
    step();
    // At 1200 ms the fast partition had emitted 0..59: its watermark is 58.
    expect(h.watermarks).toEqual([3, 58]);
    step();
    expect(h.watermarks).toEqual([3, 58, 68]);
  });

  it('hold the watermark back while a subtask has no split, unless the strategy has idleness: then it is idle after the timeout without splits', () => {
    const statuses: string[] = [];
    const out: Output = { collect() {}, collectSide() {}, emitWatermark: (t) => void statuses.push(`watermark ${t}`), emitIdle: (idle) => void statuses.push(idle ? 'idle' : 'active') };
    const time = new ManualProcessingTimeService();
    const output = new SourceReaderOutput<number>(out, strategy.withIdleness(500), time, 200);
    time.setCurrentTime(400);
    expect(statuses).toEqual([]);
    time.setCurrentTime(600);
    expect(statuses).toEqual(['idle']);
    output.createOutputForSplit('a').collect(7, 7);
    time.setCurrentTime(800);
    expect(statuses).toEqual(['idle', 'active', 'watermark 6']);
    // Its split finished at 800 ms: without splits, it holds back until 500 ms later (the check at 1,400 ms).
    output.releaseOutputForSplit('a');
    time.setCurrentTime(1200);
    expect(statuses).toEqual(['idle', 'active', 'watermark 6']);
    time.setCurrentTime(1400);
    expect(statuses).toEqual(['idle', 'active', 'watermark 6', 'idle']);
    output.close();

    const held: string[] = [];
    const withoutIdleness = new SourceReaderOutput<number>({ ...out, emitIdle: (idle) => void held.push(String(idle)) }, strategy, time, 200);
    time.setCurrentTime(10_000);
    expect(held).toEqual([]);
    withoutIdleness.close();
  });
});
