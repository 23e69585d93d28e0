import { describe, expect, it } from '@jest/globals';
import type { OutgoingFrame } from '../../../../runtime/network/batch-frame.ts';
import { CreditGate } from '../../../../runtime/network/credit-gate.ts';

function frame(bytes: number): OutgoingFrame {
  return { head: Buffer.alloc(bytes), body: null, bytes };
}

/** Whether a promise has settled, and how, after pending callbacks ran. */
async function state(promise: Promise<void>): Promise<string> {
  let result = 'pending';
  promise.then(
    () => (result = 'resolved'),
    (error: Error) => (result = `rejected: ${error.message}`),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe('CreditGate', () => {
  it('lets a frame out only against a credit, in order', () => {
    const gate = new CreditGate(4);
    const [a, b, c] = [frame(10), frame(20), frame(30)];
    gate.enqueue(a);
    gate.enqueue(b);
    gate.enqueue(c);
    expect(gate.take()).toBeNull();
    gate.grant(2);
    expect(gate.take()).toBe(a);
    expect(gate.take()).toBe(b);
    expect(gate.take()).toBeNull();
    expect(gate.queuedBytes).toBe(30);
    gate.grant(5);
    expect(gate.take()).toBe(c);
    expect(gate.take()).toBeNull();
    expect(gate.availableCredits).toBe(4);
  });

  it('is unavailable with maxQueued frames waiting, and wakes the producer when one leaves', async () => {
    const gate = new CreditGate(2);
    gate.enqueue(frame(1));
    expect(gate.isAvailable()).toBe(true);
    expect(await state(gate.availability())).toBe('resolved');
    gate.enqueue(frame(1));
    expect(gate.isAvailable()).toBe(false);
    const waiting = gate.availability();
    expect(gate.availability()).toBe(waiting);
    expect(await state(waiting)).toBe('pending');
    gate.grant(1);
    gate.take();
    expect(gate.isAvailable()).toBe(true);
    expect(await state(waiting)).toBe('resolved');
  });

  it('wakes the producer when cleared (cancellation), and rejects it when failed', async () => {
    const cleared = new CreditGate(1);
    cleared.enqueue(frame(5));
    const woken = cleared.availability();
    cleared.clear();
    expect(await state(woken)).toBe('resolved');
    expect(cleared.queuedBytes).toBe(0);

    const failed = new CreditGate(1);
    failed.enqueue(frame(5));
    const rejected = failed.availability();
    failed.fail(new Error('peer lost'));
    expect(await state(rejected)).toBe('rejected: peer lost');
    expect(failed.isAvailable()).toBe(false);
    expect(await state(failed.availability())).toBe('rejected: peer lost');
    expect(failed.queuedFrames).toBe(0);
  });
});
