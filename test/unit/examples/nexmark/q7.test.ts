import { describe, expect, it } from '@jest/globals';
import type { Bid } from '../../../../runtime/connectors/nexmark/index.ts';
import { q7, type Q7Row } from '../../../../examples/nexmark/q7.ts';
import { EVENTS, RATE, runQuery, SEED, sortedLines, writeDump } from './support/query-run.ts';

/** Straight from the SQL: per 10 s window its max price and rowtime r; the bids of that price at [r - 10 s, r]. */
function reference(bids: readonly Bid[]): Q7Row[] {
  const max = new Map<number, number>();
  for (const b of bids) {
    const start = b.dateTime - (b.dateTime % 10_000);
    max.set(start, Math.max(max.get(start) ?? Number.NEGATIVE_INFINITY, b.price));
  }
  const rows: Q7Row[] = [];
  for (const [start, price] of max) {
    const rowtime = start + 10_000 - 1;
    for (const b of bids) {
      if (b.price === price && b.dateTime >= rowtime - 10_000 && b.dateTime <= rowtime) {
        rows.push({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
      }
    }
  }
  return rows;
}

describe('nexmark q7 (highest bid)', () => {
  const dump = writeDump();
  const expected = reference(dump.bids);

  it('emits the bids at the highest price of each 10 s window (auction, price, bidder, dateTime, extra)', async () => {
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const rows = await runQuery(q7, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['auction', 'price', 'bidder', 'dateTime', 'extra']);
  });

  it('gives the same result from the generator source at parallelism 2', async () => {
    const rows = await runQuery(q7, ['--events', String(EVENTS), '--seed', String(SEED), '--rate', String(RATE)], 2);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
  });
});
