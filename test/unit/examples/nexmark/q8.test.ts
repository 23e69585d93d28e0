import { describe, expect, it } from '@jest/globals';
import { AUCTION, PERSON, type NexmarkEvent } from '../../../../runtime/connectors/nexmark/index.ts';
import { q8, type Q8Row } from '../../../../examples/nexmark/q8.ts';
import { EVENTS, RATE, runQuery, SEED, sortedLines, writeDump } from './support/query-run.ts';

/** Straight from the SQL: persons grouped by (id, name, 10 s window) joined with sellers grouped by (seller, window). */
function reference(events: readonly NexmarkEvent[]): Q8Row[] {
  const window = (t: number) => t - (t % 10_000);
  const sellers = new Set(events.filter((e) => e.event_type === AUCTION).map((e) => `${e.auction!.seller}@${window(e.auction!.dateTime)}`));
  const rows = new Map<string, Q8Row>();
  for (const e of events) {
    if (e.event_type !== PERSON) continue;
    const p = e.person!;
    const starttime = window(p.dateTime);
    if (sellers.has(`${p.id}@${starttime}`)) rows.set(`${p.id}/${p.name}/${starttime}`, { id: p.id, name: p.name, starttime });
  }
  return [...rows.values()];
}

describe('nexmark q8 (monitor new users)', () => {
  const dump = writeDump();
  const expected = reference(dump.events);

  it('emits the persons who opened an auction in the 10 s window they registered in (id, name, starttime)', async () => {
    expect(expected.length).toBeGreaterThan(5);
    const rows = await runQuery(q8, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['id', 'name', 'starttime']);
  });

  it('gives the same result from the generator source at parallelism 2', async () => {
    const rows = await runQuery(q8, ['--events', String(EVENTS), '--seed', String(SEED), '--rate', String(RATE)], 2);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
  });
});
