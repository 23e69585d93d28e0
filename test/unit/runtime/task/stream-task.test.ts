import { describe, expect, it } from '@jest/globals';
import { StreamExecutionEnvironment, WatermarkStrategy } from '../../../../runtime/api/index.ts';
import { CollectSink } from '../../../../runtime/connectors/collect-sink.ts';
import { CollectionSource } from '../../../../runtime/connectors/collection-source.ts';
import { GeneratorSource } from '../../../../runtime/connectors/generator-source.ts';
import type { AnySource } from '../../../../runtime/connectors/source.ts';
import { STRIDE_SPLIT_SERIALIZER } from '../../../../runtime/connectors/stride-split.ts';
import { SourceCoordinators } from '../../../../runtime/cluster/source-coordinators.ts';
import type { ChannelElement } from '../../../../runtime/network/channel.ts';
import { LocalChannel } from '../../../../runtime/network/local-channel.ts';
import { AbstractStreamOperator } from '../../../../runtime/operators/abstract-stream-operator.ts';
import { StreamTask } from '../../../../runtime/task/stream-task.ts';
import type { StreamTaskOptions } from '../../../../runtime/task/stream-task-options.ts';
import type { CheckpointTriggerOptions, TaskCheckpointAck } from '../../../../runtime/task/task-checkpoint.ts';
import { createDeploymentDescriptors } from '../../../../runtime/task/task-deployment-descriptor.ts';
import type { CoFlatMapFunction } from '../../../../runtime/functions/co-functions.ts';
import type { Collector } from '../../../../runtime/functions/functions.ts';
import type { RuntimeContext } from '../../../../runtime/functions/runtime-context.ts';
import { decodeEntry } from '../../../../runtime/state/state-snapshot.ts';
import { waitUntil } from '../../../support/processes.ts';
import { sourceSplits as splitsOf } from '../../../support/source-splits.ts';

/** Passes records on and logs its lifecycle; `finish` and notices may return promises the test settles. */
class ProbeOperator extends AbstractStreamOperator {
  constructor(
    private readonly log: string[],
    private readonly hooks: { finish?: () => Promise<void>; notify?: (id: number) => Promise<void> | void },
  ) {
    super();
  }

  processElement(value: unknown, timestamp: number): void {
    this.output.collect(value, timestamp);
  }

  override finish(): void | Promise<void> {
    this.log.push('finish probe');
    return this.hooks.finish?.();
  }

  override notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    this.log.push(`notify ${checkpointId}`);
    return this.hooks.notify?.(checkpointId);
  }
}

interface Harness {
  readonly task: StreamTask;
  /** Triggers checkpoint `id` at the task, after the source's enumerator sent its state (as executors do). */
  readonly checkpoint: (id: number, timestamp: number, options?: CheckpointTriggerOptions) => void;
  readonly acks: TaskCheckpointAck[];
  readonly log: string[];
  readonly run: Promise<void>;
  /** Everything the task wrote to its one output channel so far, as short strings. */
  readonly output: () => string[];
  readonly settled: () => 'pending' | 'finished' | string;
}

/**
 * The source vertex of `source → probe → (rebalance) → collect sink`, run alone: its output channel
 * is read by the test. The probe is chained to the source, so the task's chain is [source, probe].
 */
function sourceTask(source: AnySource<number>, options: Partial<StreamTaskOptions> & { finish?: () => Promise<void>; notify?: (id: number) => Promise<void> | void } = {}): Harness {
  const log: string[] = [];
  const env = new StreamExecutionEnvironment().setParallelism(1);
  env
    .fromSource(source, WatermarkStrategy.noWatermarks(), 'numbers')
    .then<number>('probe', () => new ProbeOperator(log, options))
    .rebalance()
    .sinkTo(new CollectSink<number>());
  const graph = env.getJobGraph('ended');
  const descriptor = createDeploymentDescriptors(graph, 'ended').find((d) => graph.vertex(d.vertexId).isSource)!;
  const channel = new LocalChannel(0, { batchSize: 4, capacity: 1000 });
  const acks: TaskCheckpointAck[] = [];
  const coordinators = new SourceCoordinators(
    graph,
    (_, __, event) => task.handleCoordinatorEvent(event),
    (e) => {
      throw e;
    },
  );
  const task: StreamTask = new StreamTask(graph, descriptor, {
    readerEvents: (event) => coordinators.handleReaderEvent(descriptor.vertexId, descriptor.subtaskIndex, event),
    channels: {
      createInputChannel: () => {
        throw new Error('a source has no input');
      },
      createChannelWriter: () => channel,
    },
    onCheckpoint: (ack) => acks.push(ack),
    ...options,
  });
  let outcome = 'pending';
  const run = task.run();
  run.then(
    () => (outcome = 'finished'),
    (e: unknown) => (outcome = (e as Error).message),
  );
  const output = channelLog(channel);
  const checkpoint = (id: number, timestamp: number, options?: CheckpointTriggerOptions) => {
    coordinators.checkpoint(id);
    task.triggerCheckpoint(id, timestamp, options);
  };
  return { task, checkpoint, acks, log, run, output, settled: () => outcome };
}

/** Everything written to `channel` so far, as short strings (records, `barrier <id>`, other events by kind). */
function channelLog(channel: LocalChannel): () => string[] {
  const seen: string[] = [];
  return () => {
    for (let e: ChannelElement | null; (e = channel.poll()) !== null; ) {
      if ('kind' in e) seen.push(e.kind === 'barrier' ? `barrier ${e.checkpointId}` : e.kind);
      else seen.push(...e.values.map(String));
    }
    return seen;
  };
}

/** The source's splits in a snapshot, with their positions. */
function sourceSplits(ack: TaskCheckpointAck) {
  return splitsOf(ack.snapshots[0]!, STRIDE_SPLIT_SERIALIZER);
}

/** The source's position in a snapshot: the next sequence number of its one split. */
function sourcePosition(ack: TaskCheckpointAck): number {
  return sourceSplits(ack)[0]!.next;
}

describe('StreamTask at end of input', () => {
  it('without checkpointing finishes its operators and exits at once', async () => {
    const h = sourceTask(new CollectionSource([1, 2, 3]));
    await h.run;
    expect(h.log).toEqual(['finish probe']);
    expect(h.output()).toEqual(['1', '2', '3', 'watermark', 'end-of-partition']);
  });

  it('with checkpointing ends, snapshots on a direct trigger without a barrier, ignores a second trigger, and exits on the final notice only', async () => {
    let ended = 0;
    const h = sourceTask(new CollectionSource([1, 2, 3]), { checkpointing: true, onEnded: () => ended++ });
    await waitUntil(() => h.task.isEnded, 'the task to end');
    expect(ended).toBe(1);
    expect(h.log).toEqual(['finish probe']);
    expect(h.output()).toEqual(['1', '2', '3', 'watermark', 'end-of-partition']);

    h.checkpoint(7, 70);
    h.checkpoint(7, 70);
    await waitUntil(() => h.acks.length === 1, 'the ack of checkpoint 7');
    // Its final state: the source finished its split, so it holds none; nothing follows the end of the partition.
    expect(h.acks[0]!.checkpointId).toBe(7);
    expect(sourceSplits(h.acks[0]!)).toEqual([]);
    h.checkpoint(8, 80);
    await waitUntil(() => h.acks.length === 2, 'the ack of checkpoint 8');
    expect(h.acks.map((a) => a.checkpointId)).toEqual([7, 8]);
    expect(h.output()).toEqual(['1', '2', '3', 'watermark', 'end-of-partition']);

    h.task.notifyCheckpointComplete(7);
    await waitUntil(() => h.log.includes('notify 7'), 'the notice of 7');
    expect(h.settled()).toBe('pending');
    expect(h.task.isEnded).toBe(true);

    h.task.notifyCheckpointComplete(8, true);
    await h.run;
    expect(h.log).toEqual(['finish probe', 'notify 7', 'notify 8']);
    expect(h.task.isAlive).toBe(false);
  });

  it('awaits an operator’s finish promise while the mailbox takes checkpoints, then ends its partition', async () => {
    let release!: () => void;
    const h = sourceTask(new CollectionSource([1, 2, 3]), { checkpointing: true, finish: () => new Promise<void>((r) => (release = r)) });
    await waitUntil(() => h.log.includes('finish probe'), 'the probe to be finishing');
    // The source is finishing: a trigger still snapshots and sends its barrier, before the end of the partition.
    h.checkpoint(3, 30);
    await waitUntil(() => h.acks.length === 1, 'the ack of checkpoint 3');
    expect(h.task.isEnded).toBe(false);
    expect(h.output()).toEqual(['1', '2', '3', 'watermark', 'barrier 3']);
    release();
    await waitUntil(() => h.task.isEnded, 'the task to end');
    expect(h.output()).toEqual(['1', '2', '3', 'watermark', 'barrier 3', 'end-of-partition']);
    h.task.cancel();
    await expect(h.run).rejects.toThrow('was cancelled');
  });

  it('fails when an operator’s finish promise rejects, naming the operator', async () => {
    const h = sourceTask(new CollectionSource([1]), { checkpointing: true, finish: () => Promise.reject(new Error('flush failed')) });
    await expect(h.run).rejects.toThrow(/^operator "probe".* failed: flush failed$/);
    expect(h.task.isAlive).toBe(false);
  });

  it('awaits the operators’ commit promises of the final notice before it exits; a rejected one fails the task', async () => {
    let commit!: () => void;
    const h = sourceTask(new CollectionSource([1]), { checkpointing: true, notify: () => new Promise<void>((r) => (commit = r)) });
    await waitUntil(() => h.task.isEnded, 'the task to end');
    h.checkpoint(1, 10);
    await waitUntil(() => h.acks.length === 1, 'the ack');
    h.task.notifyCheckpointComplete(1, true);
    await waitUntil(() => h.log.includes('notify 1'), 'the notice');
    // A trigger after the final notice is not taken.
    h.checkpoint(2, 20);
    await new Promise((r) => setImmediate(r));
    expect(h.settled()).toBe('pending');
    commit();
    await h.run;
    expect(h.acks.map((a) => a.checkpointId)).toEqual([1]);

    const failing = sourceTask(new CollectionSource([1]), { checkpointing: true, notify: () => Promise.reject(new Error('commit refused')) });
    await waitUntil(() => failing.task.isEnded, 'the second task to end');
    failing.task.notifyCheckpointComplete(1, true);
    await expect(failing.run).rejects.toThrow('commit refused');
  });

  it('a stop-with-savepoint trigger stops the source after its barrier; an abort lets it emit again; the final notice exits without finishing', async () => {
    const h = sourceTask(new GeneratorSource({ generate: (n) => n, recordsPerSecond: 2000 }), { checkpointing: true });
    await waitUntil(() => h.output().length > 20, 'records flowing');
    h.checkpoint(5, 50, { savepoint: true, stop: true });
    await waitUntil(() => h.acks.length === 1, 'the savepoint ack');
    await waitUntil(() => h.output().includes('barrier 5'), 'the barrier');
    const position = sourcePosition(h.acks[0]!);
    // Every record before the barrier, and none after it while the savepoint is pending.
    const before = h.output().indexOf('barrier 5');
    expect(h.output().slice(0, before)).toEqual(Array.from({ length: position }, (_, i) => String(i)));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.output().length).toBe(before + 1);

    h.task.notifyCheckpointAborted(5);
    await waitUntil(() => h.output().length > before + 1, 'records after the aborted stop');
    expect(h.output()[before + 1]).toBe(String(position));

    h.checkpoint(6, 60, { savepoint: true, stop: true });
    await waitUntil(() => h.acks.length === 2, 'the second savepoint ack');
    h.task.notifyCheckpointComplete(6, true);
    await h.run;
    // No draining: the chain was not finished and the partition did not end.
    expect(h.log).toEqual(['notify 6']);
    expect(h.output().at(-1)).toBe('barrier 6');
    expect(h.output()).not.toContain('end-of-partition');
  });
});

/**
 * The co-flat-map vertex of `a (2 subtasks) + b (1 subtask) → co-flat-map → (rebalance) → sink`, run
 * alone: the test writes its three input channels (a/0 and a/1 feed input 1, b/0 input 2) and reads
 * its one output channel. The co-flat-map passes records on and adds each to operator list state
 * `seen`, so a snapshot shows exactly which records the task had processed at the checkpoint.
 */
function twoInputTask(mode: 'exactly-once' | 'at-least-once') {
  const env = new StreamExecutionEnvironment().setParallelism(1);
  const a = env.fromSource(new CollectionSource<string>([]), WatermarkStrategy.noWatermarks(), 'a').setParallelism(2);
  const b = env.fromSource(new CollectionSource<string>([]), WatermarkStrategy.noWatermarks(), 'b');
  a.connect(b)
    .flatMap<string>({
      seen: undefined as unknown as { add(v: string): void },
      open(this: { seen: unknown }, ctx: RuntimeContext) {
        this.seen = ctx.getOperatorListState<string>('seen');
      },
      flatMap1(this: { seen: { add(v: string): void } }, v: string, out: Collector<string>) {
        this.seen.add(v);
        out.collect(v);
      },
      flatMap2(this: { seen: { add(v: string): void } }, v: string, out: Collector<string>) {
        this.seen.add(v);
        out.collect(v);
      },
    } as CoFlatMapFunction<string, string, string>)
    .rebalance()
    .sinkTo(new CollectSink<string>());
  const graph = env.getJobGraph('two-inputs');
  const descriptor = createDeploymentDescriptors(graph, 'two-inputs').find((d) => graph.vertex(d.vertexId).name.includes('Co-Flat Map'))!;
  const inputs = descriptor.inputs.map((i) => new LocalChannel(i.channelId, { batchSize: 1000, capacity: 1000 }));
  const output = new LocalChannel(-1, { batchSize: 1000, capacity: 1000 });
  const acks: TaskCheckpointAck[] = [];
  const task = new StreamTask(graph, descriptor, {
    channels: {
      createInputChannel: (d) => inputs[descriptor.inputs.indexOf(d)]!,
      createChannelWriter: () => output,
    },
    onCheckpoint: (ack) => acks.push(ack),
    checkpointingMode: mode,
  });
  const run = task.run();
  const written = channelLog(output);
  /** Writes records (strings) and barriers (numbers) into an input channel, in order. */
  const send = (channel: 'a0' | 'a1' | 'b0', ...elements: Array<string | number>) => {
    const c = inputs[['a0', 'a1', 'b0'].indexOf(channel)]!;
    for (const e of elements) {
      if (typeof e === 'string') c.emit(e, 0);
      else c.emitEvent({ kind: 'barrier', checkpointId: e, timestamp: e * 10, savepoint: false });
    }
    c.flush();
  };
  const snapshotSeen = (ack: TaskCheckpointAck) =>
    (ack.snapshots[0]!.operatorState.find((l) => l.name === 'seen')?.entries ?? []).map((e) => decodeEntry(e));
  const end = async () => {
    for (const c of inputs) c.emitEvent({ kind: 'end-of-partition' });
    await run;
  };
  expect(descriptor.inputs.map((i) => i.inputIndex)).toEqual([0, 0, 1]);
  return { send, written, acks, snapshotSeen, end };
}

describe('StreamTask with two inputs', () => {
  it('exactly-once: records behind a barrier on input 1 wait until input 2’s barrier arrives; the snapshot holds exactly the records before the barriers', async () => {
    const t = twoInputTask('exactly-once');
    t.send('a0', 'a0-1', 1, 'a0-2');
    t.send('a1', 'a1-1', 1);
    t.send('b0', 'b0-1');
    await waitUntil(() => t.written().includes('b0-1'), 'the record of input 2 before its barrier');
    // a0-2 (behind a0's barrier) is held back while input 2 has not sent barrier 1; input 2 still flows.
    t.send('b0', 'b0-2');
    await waitUntil(() => t.written().includes('b0-2'), 'input 2 flowing while input 1 is aligned');
    expect(t.written()).toEqual(['a0-1', 'a1-1', 'b0-1', 'b0-2']);
    expect(t.acks).toEqual([]);

    t.send('b0', 1, 'b0-3');
    await waitUntil(() => t.written().includes('b0-3') && t.written().includes('a0-2'), 'the records behind the barriers');
    expect(t.acks.map((a) => [a.checkpointId, t.snapshotSeen(a)])).toEqual([[1, ['a0-1', 'a1-1', 'b0-1', 'b0-2']]]);
    const written = t.written();
    expect(written.slice(0, 5)).toEqual(['a0-1', 'a1-1', 'b0-1', 'b0-2', 'barrier 1']);
    expect(written.slice(5).sort()).toEqual(['a0-2', 'b0-3']);
    await t.end();
    expect(t.written().slice(7)).toEqual(['end-of-partition']);
  });

  it('at-least-once: records behind a barrier on input 1 are processed before input 2’s barrier arrives, and are in the snapshot', async () => {
    const t = twoInputTask('at-least-once');
    t.send('a0', 'a0-1', 1, 'a0-2');
    t.send('a1', 'a1-1', 1, 'a1-2');
    t.send('b0', 'b0-1');
    await waitUntil(() => ['a0-2', 'a1-2', 'b0-1'].every((r) => t.written().includes(r)), 'every record sent so far');
    expect(t.acks).toEqual([]);
    expect(t.written()).not.toContain('barrier 1');

    t.send('b0', 1, 'b0-2');
    await waitUntil(() => t.written().includes('b0-2'), 'the record behind input 2’s barrier');
    // The snapshot holds a0-2 and a1-2, sent behind their barriers: after a restore they would be read again (at least once).
    expect(t.acks.map((a) => [a.checkpointId, [...t.snapshotSeen(a)].sort()])).toEqual([[1, ['a0-1', 'a0-2', 'a1-1', 'a1-2', 'b0-1']]]);
    expect(t.written().slice(-2)).toEqual(['barrier 1', 'b0-2']);
    expect([...t.written().slice(0, -2)].sort()).toEqual(['a0-1', 'a0-2', 'a1-1', 'a1-2', 'b0-1']);
    await t.end();
  });
});
