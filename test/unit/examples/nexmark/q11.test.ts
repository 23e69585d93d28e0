import { describe, expect, it } from '@jest/globals';
import type { Bid } from '../../../../runtime/connectors/nexmark/index.ts';
import { q11, type Q11Row } from '../../../../examples/nexmark/q11.ts';
import { runQuery, sortedLines, writeDump } from './support/query-run.ts';

/** Per bidder, bids in time order; a bid more than 10 s after the session's last one starts a new session. */
function reference(bids: readonly Bid[]): Q11Row[] {
  const open = new Map<number, Q11Row>();
  const rows: Q11Row[] = [];
  for (const b of bids) {
    const s = open.get(b.bidder);
    // Windows [t, t + gap) merge when they overlap or touch, as Flink's session windows do.
    if (s !== undefined && b.dateTime <= s.endtime) {
      s.bid_count++;
      s.endtime = b.dateTime + 10_000;
    } else {
      const row = { bidder: b.bidder, bid_count: 1, starttime: b.dateTime, endtime: b.dateTime + 10_000 };
      open.set(b.bidder, row);
      rows.push(row);
    }
  }
  return rows;
}

describe('nexmark q11 (user sessions)', () => {
  const dump = writeDump();

  it('counts each bidder’s bids per session of 10 s gap (bidder, bid_count, starttime, endtime)', async () => {
    const expected = reference(dump.bids);
    expect(expected.filter((r) => r.bid_count > 1).length).toBeGreaterThan(1);
    expect(expected.length).toBeGreaterThan(new Set(expected.map((r) => r.bidder)).size);
    const rows = await runQuery(q11, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['bidder', 'bid_count', 'starttime', 'endtime']);
  });
});
