import { describe, expect, it } from '@jest/globals';
import { AUCTION, type NexmarkEvent } from '../../../../runtime/connectors/nexmark/index.ts';
import { q4, type Q4Row } from '../../../../examples/nexmark/q4.ts';
import { EVENTS, RATE, runQuery, SEED, sortedLines, writeDump } from './support/query-run.ts';

/** Straight from the SQL: the max valid bid per auction, then the (BIGINT) average of those per category. */
function reference(events: readonly NexmarkEvent[], bids: readonly { auction: number; price: number; dateTime: number }[]): Q4Row[] {
  const perCategory = new Map<number, number[]>();
  for (const e of events) {
    if (e.event_type !== AUCTION) continue;
    const a = e.auction!;
    const prices = bids.filter((b) => b.auction === a.id && b.dateTime >= a.dateTime && b.dateTime <= a.expires).map((b) => b.price);
    if (prices.length === 0) continue;
    perCategory.set(a.category, [...(perCategory.get(a.category) ?? []), Math.max(...prices)]);
  }
  return [...perCategory].map(([id, finals]) => ({ id, final: Math.trunc(finals.reduce((s, x) => s + x, 0) / finals.length) }));
}

describe('nexmark q4 (average price per category)', () => {
  const dump = writeDump();
  const expected = reference(dump.events, dump.bids);

  it('emits each category with the average final price of its auctions (id, final)', async () => {
    expect(expected.length).toBeGreaterThan(2);
    const rows = await runQuery(q4, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['id', 'final']);
  });

  it('gives the same result from the generator source at parallelism 2', async () => {
    const rows = await runQuery(q4, ['--events', String(EVENTS), '--seed', String(SEED), '--rate', String(RATE)], 2);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
  });
});
