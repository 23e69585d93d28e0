import { describe, expect, it } from '@jest/globals';
import { InputGate } from '../../../../runtime/network/input-gate.ts';
import { LocalChannel } from '../../../../runtime/network/local-channel.ts';
import type { RecordBatch } from '../../../../runtime/network/stream-element.ts';

describe('LocalChannel', () => {
  it('hands over full batches, flushes on events, and keeps order', () => {
    const c = new LocalChannel(0, { batchSize: 2, capacity: 4 });
    c.emit('a', 1);
    expect(c.poll()).toBeNull();
    c.emit('b', 2);
    c.emit('c', 3);
    c.emitEvent({ kind: 'watermark', timestamp: 3 });
    expect(c.poll()).toEqual({ values: ['a', 'b'], timestamps: [1, 2] });
    expect(c.poll()).toEqual({ values: ['c'], timestamps: [3] });
    expect(c.poll()).toEqual({ kind: 'watermark', timestamp: 3 });
    expect(c.poll()).toBeNull();
  });

  it('hands over batches of exactly the records emitted, whatever the previous batch size', () => {
    const c = new LocalChannel(0, { batchSize: 64, capacity: 8 });
    c.emit(0, 0);
    c.flush();
    for (let i = 1; i <= 40; i++) c.emit(i, i);
    c.flush();
    for (let i = 41; i <= 41 + 64; i++) c.emit(i, i);
    c.flush();
    const batches = [c.poll(), c.poll(), c.poll(), c.poll()] as RecordBatch[];
    expect(batches.map((b) => b.values.length)).toEqual([1, 40, 64, 1]);
    expect(batches.flatMap((b) => b.values)).toEqual(Array.from({ length: 106 }, (_, i) => i));
    expect(batches[1]!.timestamps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(c.poll()).toBeNull();
  });

  it('becomes unavailable at capacity and available again when the receiver takes a batch', async () => {
    const c = new LocalChannel(0, { batchSize: 1, capacity: 2 });
    c.emit(1, 0);
    expect(c.isAvailable()).toBe(true);
    c.emit(2, 0);
    expect(c.isAvailable()).toBe(false);
    let released = false;
    const waiting = c.availability().then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    expect((c.poll() as RecordBatch).values).toEqual([1]);
    await waiting;
    expect(released).toBe(true);
    expect(c.isAvailable()).toBe(true);
  });

  it('tells the receiver once per empty-to-non-empty transition', () => {
    const c = new LocalChannel(0, { batchSize: 1, capacity: 8 });
    let calls = 0;
    c.setAvailabilityListener(() => calls++);
    c.emit(1, 0);
    c.emit(2, 0);
    expect(calls).toBe(1);
    c.poll();
    c.poll();
    expect(c.poll()).toBeNull();
    c.emit(3, 0);
    expect(calls).toBe(2);
  });
});

describe('InputGate', () => {
  it('reads all channels round-robin and reports the channel of each element', () => {
    const a = new LocalChannel(0, { batchSize: 1, capacity: 8 });
    const b = new LocalChannel(1, { batchSize: 1, capacity: 8 });
    const gate = new InputGate([a, b]);
    let wakeups = 0;
    gate.setAvailabilityListener(() => wakeups++);
    a.emit('a1', 0);
    a.emit('a2', 0);
    b.emit('b1', 0);
    expect(wakeups).toBe(2);
    const order: string[] = [];
    for (let e = gate.pollNext(); e !== null; e = gate.pollNext()) order.push(`${gate.lastChannel}:${(e as RecordBatch).values[0]}`);
    expect(order).toEqual(['0:a1', '1:b1', '0:a2']);
    b.emit('b2', 0);
    expect(wakeups).toBe(3);
    expect((gate.pollNext() as RecordBatch).values).toEqual(['b2']);
  });
});
