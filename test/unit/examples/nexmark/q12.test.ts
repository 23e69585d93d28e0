import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { q12, type Q12Row } from '../../../../examples/nexmark/q12.ts';
import { runQuery, sortedLines, writeDump } from './support/query-run.ts';

// Processing time is Date.now(): frozen here (only Date is faked; timers run for real), so the
// whole run falls into one 10 s window and the result is exact.
const NOW = Date.UTC(2025, 5, 1, 12, 0, 3);

describe('nexmark q12 (processing-time windows)', () => {
  const dump = writeDump();
  beforeAll(() => {
    jest.useFakeTimers({
      now: NOW,
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
  });
  afterAll(() => {
    jest.useRealTimers();
  });

  it('counts bids per bidder in the tumbling 10 s window of processing time (bidder, bid_count, starttime, endtime)', async () => {
    expect(Date.now()).toBe(NOW);
    const start = NOW - (NOW % 10_000);
    const counts = new Map<number, number>();
    for (const b of dump.bids) counts.set(b.bidder, (counts.get(b.bidder) ?? 0) + 1);
    const expected: Q12Row[] = [...counts].map(([bidder, bid_count]) => ({ bidder, bid_count, starttime: start, endtime: start + 10_000 }));
    const rows = await runQuery(q12, ['--input', dump.path]);
    expect(sortedLines(rows)).toEqual(sortedLines(expected));
    expect(Object.keys(rows[0]!)).toEqual(['bidder', 'bid_count', 'starttime', 'endtime']);
  });
});
