import { describe, expect, it } from '@jest/globals';
import { NexmarkGenerator, NexmarkSource, type NexmarkEvent } from '../../../../../runtime/connectors/nexmark/index.ts';
import type { SourceReader, SourceReaderContext } from '../../../../../runtime/connectors/source-reader.ts';
import { strideSplits, type StrideSplit } from '../../../../../runtime/connectors/stride-split.ts';
import { CollectingReaderOutput } from '../../../../support/source-reader-driver.ts';

type Out = { events: NexmarkEvent[]; timestamps: number[] };

/** Polls `reader` in bursts of `burst` until it ends or `limit` records came. */
function drain(reader: SourceReader<NexmarkEvent, StrideSplit>, out: Out, burst = 100, limit = Infinity): void {
  const collector = new CollectingReaderOutput<NexmarkEvent>();
  while (collector.records.length + out.events.length < limit && reader.pollNext(collector, Math.min(burst, limit - out.events.length - collector.records.length)) !== 'end-of-input');
  for (const r of collector.records) {
    out.events.push(r.value);
    out.timestamps.push(r.timestamp!);
  }
}

const context = (subtaskIndex: number, parallelism: number): SourceReaderContext => ({ subtaskIndex, parallelism, sendSplitRequest() {}, sendSourceEventToCoordinator() {} });

/** A reader of `source` holding `splits`, told that no more come. */
function readerOf(source: NexmarkSource, splits: StrideSplit[], subtaskIndex = 0, parallelism = 1): SourceReader<NexmarkEvent, StrideSplit> {
  const reader = source.createReader(context(subtaskIndex, parallelism));
  reader.addSplits(splits);
  reader.notifyNoMoreSplits();
  return reader;
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
    drain(readerOf(source, strideSplits(1)), out);
    expect(out.events).toEqual(single);
    expect(out.timestamps).toEqual(single.map((e) => e.person?.dateTime ?? e.auction?.dateTime ?? e.bid!.dateTime));
  });

  it('splits across 3 subtasks: every event exactly once, times non-decreasing within each subtask', () => {
    const source = new NexmarkSource({ events: total, seed: 3 });
    const all: NexmarkEvent[] = [];
    for (let s = 0; s < 3; s++) {
      const out: Out = { events: [], timestamps: [] };
      drain(readerOf(source, [strideSplits(3)[s]!], s, 3), out);
      expect(out.timestamps.filter((t, i) => i > 0 && t < out.timestamps[i - 1]!)).toEqual([]);
      all.push(...out.events);
    }
    expect(all.map(idOf).sort()).toEqual(single.map(idOf).sort());
  });

  it('continues from a snapshot, also at another parallelism, with no event lost or repeated', () => {
    const source = new NexmarkSource({ events: total, seed: 3 });
    const before: Out = { events: [], timestamps: [] };
    const states: StrideSplit[] = [];
    for (let s = 0; s < 2; s++) {
      const reader = readerOf(source, [strideSplits(2)[s]!], s, 2);
      drain(reader, before, 70, 500 * (s + 1));
      states.push(...reader.snapshotState(1));
    }
    const after: Out = { events: [], timestamps: [] };
    // Restored into 3 subtasks: two get a split each, the third none.
    drain(readerOf(source, [states[0]!], 0, 3), after);
    drain(readerOf(source, [states[1]!], 1, 3), after);
    drain(readerOf(source, [], 2, 3), after);
    expect(before.events.length).toBe(1000);
    expect([...before.events, ...after.events].map(idOf).sort()).toEqual(single.map(idOf).sort());
  });
});
