import { describe, expect, it } from '@jest/globals';
import type { Bid } from '../../../../runtime/connectors/nexmark/index.ts';
import { q5, type Q5Row } from '../../../../examples/nexmark/q5.ts';
import { EVENTS, RATE, runQuery, SEED, sortedLines, writeDump } from './support/query-run.ts';

/** Straight from the SQL: count bids per (auction, 10 s window every 2 s), keep the rows with the window's largest count. */
function reference(bids: readonly Bid[]): Q5Row[] {
  const counts = new Map<number, Map<number, number>>();
  for (const b of bids) {
    for (let start = b.dateTime - (b.dateTime % 2000); start > b.dateTime - 10_000; start -= 2000) {
      const perAuction = counts.get(start) ?? new Map<number, number>();
      counts.set(start, perAuction);
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
    }
  }
  const rows: Q5Row[] = [];
  for (const [start, perAuction] of counts) {
    const max = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num === max) rows.push({ auction, num, starttime: start, endtime: start + 10_000 });
  }
  return rows;
}

describe('nexmark q5 (hot items)', () => {
  const dump = writeDump();
  const expected = reference(dump.bids);

  it('emits, per sliding window, the auctions with the most bids (auction, num, starttime, endtime)', async () => {
    // 50 s of event time: 29 windows, some with ties.
    expect(new Set(expected.map((r) => r.starttime)).size).toBe(29);
    const rows = await runQuery(q5, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['auction', 'num', 'starttime', 'endtime']);
  });

  it('gives the same result from the generator source at parallelism 2', async () => {
    const rows = await runQuery(q5, ['--events', String(EVENTS), '--seed', String(SEED), '--rate', String(RATE)], 2);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
  });
});
