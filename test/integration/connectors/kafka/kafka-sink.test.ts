// KafkaSink's writers against a real broker: what a read_committed consumer sees before and after a
// checkpoint completes, a restore that commits the transactions of a completed checkpoint and aborts
// the later ones of a writer that is gone, the at-least-once flush at a barrier, and clear errors
// for a wrong bootstrap address and a missing topic.
import { afterAll, describe, expect, it } from '@jest/globals';
import { KafkaSink } from '../../../../runtime/connectors/kafka/kafka-sink.ts';
import type { KafkaSinkOptions } from '../../../../runtime/connectors/kafka/kafka-sink-options.ts';
import type { SinkWriter } from '../../../../runtime/connectors/sink.ts';
import { KafkaTestBroker, sortedValues } from './kafka-fixture.ts';

const kafka = new KafkaTestBroker();
const ctx = (subtaskIndex = 0) => ({ subtaskIndex, parallelism: 1, attemptNumber: 0, checkpointing: true });
const writers: SinkWriter<string>[] = [];

function writer(options: Partial<KafkaSinkOptions<string>> & { topic: string }, restored: readonly unknown[] = [], subtaskIndex = 0): SinkWriter<string> {
  const w = new KafkaSink<string>({ bootstrapServers: kafka.bootstrapServers, deliveryGuarantee: 'exactly-once', ...options }).createWriter(ctx(subtaskIndex), restored);
  writers.push(w);
  return w;
}

const write = (w: SinkWriter<string>, ...values: string[]) => values.forEach((v, i) => w.write(v, 1_000 + i));
/** A snapshot as a checkpoint keeps it: its state serialized at the barrier. */
function snapshot(w: SinkWriter<string>, checkpointId: number): { state: unknown[]; asyncPhase: Promise<void> | undefined } {
  const { state, asyncPhase } = w.snapshotState!(checkpointId);
  return { state: structuredClone([...state]), asyncPhase };
}

/** The writer takes records once its transaction has begun (its availability says when). */
async function ready(w: SinkWriter<string>): Promise<SinkWriter<string>> {
  await w.availability!();
  return w;
}

describe('KafkaSink exactly-once', () => {
  it('shows a checkpoint interval to read_committed consumers only once its checkpoint completes, with the elements timestamps', async () => {
    await kafka.createTopic('eo-visible', 1);
    const w = await ready(writer({ topic: 'eo-visible' }));
    write(w, 'a', 'b');
    const first = snapshot(w, 1);
    await first.asyncPhase;
    // acknowledged: in the log, but not visible to read_committed
    expect(await kafka.endOffsets('eo-visible', 1, 'read_uncommitted')).toEqual([2n]);
    expect(await kafka.endOffsets('eo-visible', 1, 'read_committed')).toEqual([0n]);
    await w.availability!();
    write(w, 'c');
    await w.notifyCheckpointComplete!(1);
    const second = snapshot(w, 2);
    await second.asyncPhase;
    await w.notifyCheckpointComplete!(2);
    const read = await kafka.readAll('eo-visible', 1);
    expect(read.map((r) => [r.value, r.timestamp])).toEqual([
      ['a', 1000n],
      ['b', 1001n],
      ['c', 1000n],
    ]);
  }, 60_000);

  it('restored from a checkpoint: commits its transactions and aborts the later ones of the writer that is gone', async () => {
    await kafka.createTopic('eo-restore', 2);
    const serialize = (v: string) => ({ key: v, value: v, partition: Number(v.at(-1)) % 2 });
    const crashed = await ready(writer({ topic: 'eo-restore', serialize }));
    write(crashed, 'a0', 'a1');
    const checkpoint1 = snapshot(crashed, 1);
    await checkpoint1.asyncPhase;
    await crashed.availability!();
    write(crashed, 'b0', 'b1');
    const checkpoint2 = snapshot(crashed, 2);
    await checkpoint2.asyncPhase;
    await crashed.availability!();
    write(crashed, 'c0');
    // checkpoint 1 completed but its notice never came; checkpoint 2 did not complete; c0 was in flight
    await new Promise<void>((resolve) => setImmediate(resolve));

    const restored = await ready(writer({ topic: 'eo-restore', serialize }, checkpoint1.state));
    write(restored, 'd0', 'd1');
    const checkpoint3 = snapshot(restored, 3);
    await checkpoint3.asyncPhase;
    await restored.notifyCheckpointComplete!(3);

    expect(sortedValues(await kafka.readAll('eo-restore', 2))).toEqual(['a0', 'a1', 'd0', 'd1']);
    // the crashed writer's transaction of checkpoint 2 was aborted: committing it now fails
    await expect(crashed.notifyCheckpointComplete!(2)).rejects.toThrow(/^KafkaSink: cannot commit transaction sluice-eo-restore-0-[0-9a-f]{8}-1: There is a newer producer with the same transactionalId which fences the current one\.$/);
    crashed.close!();
  }, 60_000);

  it('commits a restored transaction that was committed already without change, and again after a second failure', async () => {
    await kafka.createTopic('eo-twice', 1);
    const w = await ready(writer({ topic: 'eo-twice' }));
    write(w, 'x');
    const checkpoint = snapshot(w, 1);
    await checkpoint.asyncPhase;
    await w.notifyCheckpointComplete!(1);
    w.close!();
    for (let attempt = 0; attempt < 2; attempt++) {
      const again = await ready(writer({ topic: 'eo-twice' }, checkpoint.state));
      const taken = snapshot(again, 2 + attempt);
      await taken.asyncPhase;
      again.close!();
    }
    expect(sortedValues(await kafka.readAll('eo-twice', 1))).toEqual(['x']);
  }, 60_000);

  it('a wrong bootstrap address fails the writer with a clear error', async () => {
    const w = writer({ topic: 'nowhere', bootstrapServers: '127.0.0.1:1' });
    await w.availability!();
    expect(() => w.write('x', 0)).toThrow(/^KafkaSink: cannot begin transaction sluice-nowhere-0-[0-9a-f]{8}-0 at 127\.0\.0\.1:1: .*ECONNREFUSED/);
  }, 60_000);

  it('a missing topic fails the checkpoint with a clear error', async () => {
    const w = await ready(writer({ topic: 'no-such-topic' }));
    write(w, 'x');
    await expect(snapshot(w, 1).asyncPhase).rejects.toThrow(/^KafkaSink: cannot write to topic "no-such-topic" at 127\.0\.0\.1:\d+: .*/);
  }, 60_000);
});

describe('KafkaSink at-least-once', () => {
  it('acknowledges a checkpoint once every record written before its barrier is in the topic', async () => {
    await kafka.createTopic('alo', 4);
    const w = new KafkaSink<string>({ bootstrapServers: kafka.bootstrapServers, topic: 'alo', deliveryGuarantee: 'at-least-once', serialize: (v) => ({ value: v, partition: Number(v) % 4 }) }).createWriter(ctx(), []);
    writers.push(w);
    const values = Array.from({ length: 5_000 }, (_, i) => String(i));
    for (const v of values) w.write(v, 0);
    const taken = snapshot(w, 1);
    expect(taken.state).toEqual([]);
    await taken.asyncPhase;
    expect(await kafka.endOffsets('alo', 4, 'read_uncommitted')).toEqual([1250n, 1250n, 1250n, 1250n]);
    expect(sortedValues(await kafka.readAll('alo', 4))).toEqual([...values].sort());
  }, 60_000);

  it('a missing topic fails the checkpoint with a clear error', async () => {
    const w = new KafkaSink<string>({ bootstrapServers: kafka.bootstrapServers, topic: 'missing-alo', deliveryGuarantee: 'at-least-once' }).createWriter(ctx(), []);
    writers.push(w);
    w.write('x', 0);
    await expect(snapshot(w, 1).asyncPhase).rejects.toThrow(/^KafkaSink: cannot write to topic "missing-alo" at 127\.0\.0\.1:\d+: .*/);
  }, 60_000);
});

describe('KafkaSink options', () => {
  it('refuses a malformed bootstrap address and an unknown delivery guarantee', () => {
    expect(() => new KafkaSink({ bootstrapServers: 'localhost', topic: 't', deliveryGuarantee: 'exactly-once' })).toThrow('bad Kafka bootstrap server "localhost" in "localhost": expected host:port with a port from 1 to 65535');
    expect(() => new KafkaSink({ bootstrapServers: '127.0.0.1:9092', topic: 't', deliveryGuarantee: 'none' as 'exactly-once' })).toThrow(`KafkaSink: deliveryGuarantee must be 'at-least-once' or 'exactly-once', not "none"`);
  });
});

afterAll(() => {
  for (const w of writers) w.close?.();
});
