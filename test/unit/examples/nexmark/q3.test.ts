import { describe, expect, it } from '@jest/globals';
import { AUCTION, PERSON, type NexmarkEvent } from '../../../../runtime/connectors/nexmark/index.ts';
import { q3, type Q3Row } from '../../../../examples/nexmark/q3.ts';
import { EVENTS, RATE, runQuery, SEED, sortedLines, writeDump } from './support/query-run.ts';

/** Straight from the SQL: every (auction of category 10, person in OR/ID/CA) pair with seller = id. */
function reference(events: readonly NexmarkEvent[]): Q3Row[] {
  const auctions = events.filter((e) => e.event_type === AUCTION && e.auction!.category === 10).map((e) => e.auction!);
  const persons = events.filter((e) => e.event_type === PERSON && ['OR', 'ID', 'CA'].includes(e.person!.state)).map((e) => e.person!);
  return auctions.flatMap((a) => persons.filter((p) => p.id === a.seller).map((p) => ({ name: p.name, city: p.city, state: p.state, id: a.id })));
}

describe('nexmark q3 (local item suggestion)', () => {
  const dump = writeDump();
  const expected = reference(dump.events);

  it('joins auctions of category 10 with their sellers in OR, ID and CA (name, city, state, id)', async () => {
    expect(expected.length).toBeGreaterThan(5);
    const rows = await runQuery(q3, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['name', 'city', 'state', 'id']);
  });

  it('gives the same result from the generator source at parallelism 2', async () => {
    const rows = await runQuery(q3, ['--events', String(EVENTS), '--seed', String(SEED), '--rate', String(RATE)], 2);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
  });
});
