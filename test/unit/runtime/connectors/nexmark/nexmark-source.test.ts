import { describe, expect, it } from '@jest/globals';
import { NexmarkGenerator, NexmarkSource, type NexmarkEvent } from '../../../../../runtime/connectors/nexmark/index.ts';
import type { SourceReader } from '../../../../../runtime/connectors/source.ts';

type Out = { events: NexmarkEvent[]; timestamps: number[] };

/** Polls `reader` in bursts of `burst` until it ends or `limit` records came. */
function drain(reader: SourceReader<NexmarkEvent>, out: Out, burst = 100, limit = Infinity): void {
  const collector = { collect: (e: NexmarkEvent, ts?: number) => void (out.events.push(e), out.timestamps.push(ts!)) };
  while (out.events.length < limit && reader.pollNext(collector, Math.min(burst, limit - out.events.length)) !== 'end-of-input');
}

const idOf = (e: NexmarkEvent) => JSON.stringify(e);

describe('NexmarkSource', () => {
  const total = 3000;
  const single = Array.from({ length: total }, (_, n) => new NexmarkGenerator({ seed: 3 }).event(n));

  it('is bounded by an event count and stamps records with their dateTime; without a count it is unbounded', () => {
    const source = new NexmarkSource({ events: total, seed: 3 });
    expect(source.boundedness).toBe('bounded');
    expect(new NexmarkSource().boundedness).toBe('continuous');
    const out: Out = { events: [], timestamps: [] };
    drain(source.createReader({ subtaskIndex: 0, parallelism: 1 }, undefined), out);
    expect(out.events).toEqual(single);
    expect(out.timestamps).toEqual(single.map((e) => e.person?.dateTime ?? e.auction?.dateTime ?? e.bid!.dateTime));
  });

  it('splits across 3 subtasks: every event exactly once, times non-decreasing within each subtask', () => {
    const source = new NexmarkSource({ events: total, seed: 3 });
    const all: NexmarkEvent[] = [];
    for (let s = 0; s < 3; s++) {
      const out: Out = { events: [], timestamps: [] };
      drain(source.createReader({ subtaskIndex: s, parallelism: 3 }, undefined), out);
      expect(out.timestamps.filter((t, i) => i > 0 && t < out.timestamps[i - 1]!)).toEqual([]);
      all.push(...out.events);
    }
    expect(all.map(idOf).sort()).toEqual(single.map(idOf).sort());
  });

  it('continues from a snapshot, also at another parallelism, with no event lost or repeated', () => {
    const source = new NexmarkSource({ events: total, seed: 3 });
    const before: Out = { events: [], timestamps: [] };
    const states: unknown[] = [];
    for (let s = 0; s < 2; s++) {
      const reader = source.createReader({ subtaskIndex: s, parallelism: 2 }, undefined);
      drain(reader, before, 70, 500 * (s + 1));
      states.push(...reader.snapshotState(1));
    }
    const after: Out = { events: [], timestamps: [] };
    // Restored into 3 subtasks: two get a split each, the third none (it is never polled).
    drain(source.createReader({ subtaskIndex: 0, parallelism: 3 }, [states[0]]), after);
    drain(source.createReader({ subtaskIndex: 1, parallelism: 3 }, [states[1]]), after);
    expect(before.events.length).toBe(1000);
    expect([...before.events, ...after.events].map(idOf).sort()).toEqual(single.map(idOf).sort());
  });
});
