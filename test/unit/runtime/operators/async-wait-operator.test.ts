import { describe, expect, it } from '@jest/globals';
import type { ResultFuture } from '../../../../runtime/functions/async-function.ts';
import type { ProcessingTimeService } from '../../../../runtime/core/processing-time-service.ts';
import { AsyncWaitOperator, type AsyncOutputMode } from '../../../../runtime/operators/async-wait-operator.ts';
import { assignStateToSubtask } from '../../../../runtime/state/state-snapshot.ts';
import { harness } from '../../../support/operator-harness.ts';
import { waitUntil } from '../../../support/processes.ts';

/** A service whose calls the test completes by hand, and a mailbox the test runs by hand. */
function setup(mode: AsyncOutputMode, capacity = 10, timeoutMs = 60_000, restore?: Parameters<typeof harness>[1]['restore']) {
  const calls = new Map<number, ResultFuture<string>>();
  const mailbox: Array<() => void> = [];
  const time: ProcessingTimeService = { now: () => 0, schedule: (_at, cb) => void mailbox.push(cb) };
  const fn = {
    asyncInvoke: (n: number, future: ResultFuture<string>) => void calls.set(n, future),
    timeout: undefined as ((n: number, future: ResultFuture<string>) => void) | undefined,
  };
  const op = new AsyncWaitOperator<number, string>(fn, timeoutMs, capacity, mode);
  const h = harness(op, { time, restore });
  const runMailbox = () => {
    while (mailbox.length > 0) mailbox.shift()!();
  };
  return { h, op, calls, runMailbox, fn, mailbox };
}

describe('AsyncWaitOperator', () => {
  it('ordered: results leave in input order, a watermark after the results before it', () => {
    const { h, op, calls, runMailbox } = setup('ordered');
    op.processElement(1, 10);
    op.processElement(2, 20);
    op.processWatermark(25);
    op.processElement(3, 30);
    calls.get(3)!.complete(['c']);
    calls.get(2)!.complete(['b1', 'b2']);
    runMailbox();
    expect(h.output).toEqual([]);
    calls.get(1)!.complete(['a']);
    runMailbox();
    expect(h.output).toEqual(['a', 'b1', 'b2', 'c']);
    expect(h.timestamps).toEqual([10, 20, 20, 30]);
    expect(h.watermarks).toEqual([25]);
  });

  it('unordered: results leave as they complete, but not across a watermark', () => {
    const { h, op, calls, runMailbox } = setup('unordered');
    op.processElement(1, 10);
    op.processElement(2, 20);
    op.processWatermark(25);
    op.processElement(3, 30);
    calls.get(3)!.complete(['c']);
    calls.get(2)!.complete(['b']);
    runMailbox();
    expect(h.output).toEqual(['b']);
    calls.get(1)!.complete(['a']);
    runMailbox();
    expect(h.output).toEqual(['b', 'a', 'c']);
    expect(h.watermarks).toEqual([25]);
  });

  it('keeps at most `capacity` calls in flight and is unavailable while full or holding uncalled records', async () => {
    const { op, calls, runMailbox } = setup('unordered', 2);
    op.processElement(1, 0);
    expect(op.isAvailable()).toBe(true);
    op.processElement(2, 0);
    op.processElement(3, 0);
    expect([...calls.keys()]).toEqual([1, 2]);
    expect(op.isAvailable()).toBe(false);
    let available = false;
    void op.availability().then(() => (available = true));
    calls.get(1)!.complete([]);
    runMailbox();
    expect([...calls.keys()]).toEqual([1, 2, 3]);
    await Promise.resolve();
    expect(available).toBe(false);
    calls.get(2)!.complete([]);
    runMailbox();
    await Promise.resolve();
    expect(available).toBe(true);
  });

  it('fails on a timeout without a timeout hook, and lets the hook complete instead', async () => {
    const failing = setup('ordered', 10, 5);
    failing.op.processElement(1, 0);
    await waitUntil(() => failing.mailbox.length > 0, 'the timeout');
    expect(() => failing.runMailbox()).toThrow('async call timed out after 5 ms in operator "Under Test"');
    const hooked = setup('ordered', 10, 5);
    hooked.fn.timeout = (n, future) => future.complete([`fallback ${n}`]);
    const op = new AsyncWaitOperator<number, string>(hooked.fn, 5, 10, 'ordered');
    const mailbox: Array<() => void> = [];
    const h = harness(op, { time: { now: () => 0, schedule: (_at, cb) => void mailbox.push(cb) } });
    op.processElement(7, 0);
    await waitUntil(() => mailbox.length > 0, 'the timeout hook');
    while (mailbox.length > 0) mailbox.shift()!();
    expect(h.output).toEqual(['fallback 7']);
    op.close();
    failing.op.close();
  });

  it('checkpoints the inputs of unfinished calls and calls them again after a restore, at another parallelism too', () => {
    const { op, calls, runMailbox } = setup('ordered');
    op.processElement(1, 10);
    op.processElement(2, 20);
    op.processElement(3, 30);
    calls.get(1)!.complete(['a']);
    runMailbox();
    const snapshot = op.snapshotState(4);
    op.close();
    const restored = [0, 1].map((i) => assignStateToSubtask([snapshot], 128, 2, i));
    const again = restored.map((restore) => setup('ordered', 10, 60_000, restore));
    expect(again.map((a) => [...a.calls.keys()])).toEqual([[2], [3]]);
    for (const a of again) {
      for (const [n, future] of a.calls) future.complete([`r${n}`]);
      a.runMailbox();
    }
    expect(again.map((a) => [a.h.output, a.h.timestamps])).toEqual([
      [['r2'], [20]],
      [['r3'], [30]],
    ]);
  });

  it('finishes once every call completed', async () => {
    const { h, op, calls } = setup('ordered');
    op.processElement(1, 10);
    let finished = false;
    void (op.finish() as Promise<void>).then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    calls.get(1)!.complete(['a']);
    await Promise.resolve();
    expect(finished).toBe(true);
    expect(h.output).toEqual(['a']);
  });
});
