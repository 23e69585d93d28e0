import { describe, expect, it } from '@jest/globals';
import type { Key } from '../../../../runtime/core/key.ts';
import { keyGroupFor, keyGroupRangeFor } from '../../../../runtime/core/key-group.ts';
import { HeapKeyedStateBackend } from '../../../../runtime/state/heap-keyed-state-backend.ts';
import { InternalTimerService, type Timer } from '../../../../runtime/state/timer-service.ts';
import { manualTime } from '../../../support/operator-harness.ts';

const MAX = 128;

/** A timer service over all key groups whose fired timers are logged as `key@timestamp/namespace (current key)`. */
function service() {
  const range = keyGroupRangeFor(MAX, 1, 0);
  const backend = new HeapKeyedStateBackend(range, MAX);
  const fired: string[] = [];
  const log = (t: Timer) => void fired.push(`${String(t.key)}@${t.timestamp}/${t.namespace} (${String(backend.getCurrentKey())})`);
  const timers = new InternalTimerService(backend, range, manualTime, { onEventTime: log, onProcessingTime: log });
  const at = (key: Key) => {
    backend.setCurrentKey(key);
    return timers;
  };
  return { timers, fired, at };
}

describe('InternalTimerService', () => {
  it('keeps one timer per key, namespace and timestamp, and fires each once in timestamp order with its key current', () => {
    const { timers, fired, at } = service();
    at('a').register('event-time', 10);
    at('a').register('event-time', 10);
    at('a').register('event-time', 10, 'w1');
    at(1).register('event-time', 10);
    at('1').register('event-time', 5);
    at(1).register('event-time', 10);
    expect(timers.counts()).toEqual([4, 0]);
    timers.advanceWatermark(9);
    expect(fired).toEqual(['1@5/ (1)']);
    timers.advanceWatermark(10);
    expect(fired.slice(1).sort()).toEqual(['1@10/ (1)', 'a@10/ (a)', 'a@10/w1 (a)']);
    expect(timers.counts()).toEqual([0, 0]);
    // Fired timers are gone: registering one again makes a new timer.
    at('a').register('event-time', 10);
    timers.advanceWatermark(11);
    expect(fired).toHaveLength(5);
  });

  it('a key with many timers (past the short chain): deduplicated, deleted and fired exactly once each, in order', () => {
    const { timers, fired, at } = service();
    // 40 timers of one key: timestamps 20 down to 1, in namespaces '' and 'w'; then all of them again.
    for (let round = 0; round < 2; round++) for (let ts = 20; ts >= 1; ts--) for (const ns of ['', 'w']) at('hot').register('event-time', ts, ns);
    expect(timers.counts()).toEqual([40, 0]);
    at('hot').delete('event-time', 5, '');
    at('hot').delete('event-time', 6, 'w');
    at('hot').delete('event-time', 7, 'nothing');
    at('cold').register('event-time', 8);
    expect(timers.counts()).toEqual([39, 0]);
    timers.advanceWatermark(1000);
    const expected: string[] = ['cold@8/ (cold)'];
    for (let ts = 1; ts <= 20; ts++) for (const ns of ['', 'w']) if (!(ts === 5 && ns === '') && !(ts === 6 && ns === 'w')) expected.push(`hot@${ts}/${ns} (hot)`);
    expect([...fired].sort()).toEqual(expected.sort());
    const times = fired.map((f) => Number(/@(\d+)/.exec(f)![1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timers.counts()).toEqual([0, 0]);
  });

  it('deletes a timer of a short chain without touching the others of its key', () => {
    const { timers, fired, at } = service();
    for (const ts of [3, 1, 2]) at(7).register('event-time', ts);
    at(7).delete('event-time', 1);
    at(7).delete('event-time', 1);
    expect(timers.counts()).toEqual([2, 0]);
    timers.advanceWatermark(5);
    expect(fired).toEqual(['7@2/ (7)', '7@3/ (7)']);
  });

  it('snapshots timers per key group and restores them into another service', () => {
    const before = service();
    for (let i = 0; i < 12; i++) before.at('k').register('event-time', i, 'n');
    before.at(42).register('event-time', 3);
    before.at(42).register('processing-time', 9);
    const groups = [keyGroupFor('k', MAX), keyGroupFor(42, MAX)];
    const after = service();
    for (const g of new Set(groups)) after.timers.restoreKeyGroup(g, before.timers.snapshotKeyGroup(g));
    expect(after.timers.counts()).toEqual([13, 1]);
    after.timers.advanceWatermark(3);
    expect(after.fired.sort()).toEqual(['42@3/ (42)', 'k@0/n (k)', 'k@1/n (k)', 'k@2/n (k)', 'k@3/n (k)']);
  });

  it('timers registered or deleted by a firing timer: the same or an earlier due time fires in the same advance, a deleted one never', () => {
    const range = keyGroupRangeFor(MAX, 1, 0);
    const backend = new HeapKeyedStateBackend(range, MAX);
    const fired: string[] = [];
    let timers!: InternalTimerService;
    const onEventTime = (t: Timer) => {
      fired.push(`${String(t.key)}@${t.timestamp}${t.namespace}`);
      if (t.namespace === 'again') timers.register('event-time', t.timestamp, 'same');
      if (t.namespace === 'earlier') timers.register('event-time', 1, 'past');
      if (t.namespace === 'killer') {
        backend.setCurrentKey('b');
        timers.delete('event-time', 10, 'victim');
      }
    };
    timers = new InternalTimerService(backend, range, manualTime, { onEventTime, onProcessingTime: () => {} });
    backend.setCurrentKey('a');
    for (const ns of ['again', 'earlier', 'killer']) timers.register('event-time', 10, ns);
    backend.setCurrentKey('b');
    timers.register('event-time', 10, 'victim');
    timers.register('event-time', 20, 'later');
    timers.advanceWatermark(10);
    expect(fired).toEqual(['a@10again', 'a@10earlier', 'a@10killer', 'a@10same', 'a@1past']);
    expect(timers.counts()).toEqual([1, 0]);
    timers.advanceWatermark(20);
    expect(fired.at(-1)).toBe('b@20later');
    expect(timers.counts()).toEqual([0, 0]);
  });

  it('processing-time timers: the next due time is scheduled, deleted ones are skipped', () => {
    const range = keyGroupRangeFor(MAX, 1, 0);
    const backend = new HeapKeyedStateBackend(range, MAX);
    const scheduled: number[] = [];
    const fired: number[] = [];
    const timers = new InternalTimerService(backend, range, { now: () => 0, schedule: (at) => void scheduled.push(at) }, {
      onEventTime: () => {},
      onProcessingTime: (t) => void fired.push(t.timestamp),
    });
    backend.setCurrentKey(1);
    timers.register('processing-time', 50);
    timers.register('processing-time', 30);
    timers.register('processing-time', 40);
    expect(scheduled).toEqual([50, 30]);
    timers.delete('processing-time', 40);
    timers.advanceProcessingTime(30);
    // 40 was deleted: the next one scheduled is 50.
    expect(fired).toEqual([30]);
    expect(scheduled).toEqual([50, 30, 50]);
    timers.advanceProcessingTime(60);
    expect(fired).toEqual([30, 50]);
  });
});
