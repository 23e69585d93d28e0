import { describe, expect, it } from '@jest/globals';
import { AUCTION, type Bid, type NexmarkEvent } from '../../../../runtime/connectors/nexmark/index.ts';
import { q9, type Q9Row } from '../../../../examples/nexmark/q9.ts';
import { EVENTS, RATE, runQuery, SEED, sortedLines, writeDump } from './support/query-run.ts';

/** Straight from the SQL: per auction its valid bids ordered by price desc, dateTime asc; the first. */
function reference(events: readonly NexmarkEvent[], bids: readonly Bid[]): Q9Row[] {
  const rows: Q9Row[] = [];
  for (const e of events) {
    if (e.event_type !== AUCTION) continue;
    const a = e.auction!;
    const valid = bids.filter((b) => b.auction === a.id && b.dateTime >= a.dateTime && b.dateTime <= a.expires);
    const b = [...valid].sort((x, y) => y.price - x.price || x.dateTime - y.dateTime)[0];
    if (b === undefined) continue;
    rows.push({ ...a, auction: b.auction, bidder: b.bidder, price: b.price, bid_dateTime: b.dateTime, bid_extra: b.extra });
  }
  return rows;
}

describe('nexmark q9 (winning bids)', () => {
  const dump = writeDump();
  const expected = reference(dump.events, dump.bids);

  it('emits every auction with its winning bid (the auction columns, auction, bidder, price, bid_dateTime, bid_extra)', async () => {
    expect(expected.length).toBeGreaterThan(20);
    const rows = await runQuery(q9, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual([
      'id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra',
      'auction', 'bidder', 'price', 'bid_dateTime', 'bid_extra',
    ]);
  });

  it('gives the same result from the generator source at parallelism 2', async () => {
    const rows = await runQuery(q9, ['--events', String(EVENTS), '--seed', String(SEED), '--rate', String(RATE)], 2);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
  });
});
