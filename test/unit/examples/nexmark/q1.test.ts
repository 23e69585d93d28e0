import { describe, expect, it } from '@jest/globals';
import { q1 } from '../../../../examples/nexmark/q1.ts';
import { runQuery, writeDump } from './support/query-run.ts';

describe('nexmark q1 (currency conversion)', () => {
  const dump = writeDump();

  it('emits every bid with its price times 0.908, as the exact 3-decimal value', async () => {
    const expected = dump.bids.map((b) => ({ auction: b.auction, bidder: b.bidder, price: Number(`${Math.floor((b.price * 908) / 1000)}.${String((b.price * 908) % 1000).padStart(3, '0')}`), dateTime: b.dateTime, extra: b.extra }));
    const rows = await runQuery(q1, ['--input', dump.path]);
    expect(rows.map((r) => JSON.stringify(r))).toEqual(expected.map((r) => JSON.stringify(r)));
    // e.g. 545 cents → 494.86, never 494.86000000000001.
    expect(rows.filter((r) => !/^\d+(\.\d{1,3})?$/.test(String(r.price)))).toEqual([]);
  });
});
