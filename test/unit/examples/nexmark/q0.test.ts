import { describe, expect, it } from '@jest/globals';
import { q0 } from '../../../../examples/nexmark/q0.ts';
import { runQuery, writeDump } from './support/query-run.ts';

describe('nexmark q0 (pass-through)', () => {
  const dump = writeDump();

  it('emits every bid, in order, with the columns auction, bidder, price, dateTime, extra', async () => {
    const expected = [];
    for (const e of dump.events) if (e.event_type === 2) expected.push({ auction: e.bid!.auction, bidder: e.bid!.bidder, price: e.bid!.price, dateTime: e.bid!.dateTime, extra: e.bid!.extra });
    const rows = await runQuery(q0, ['--input', dump.path]);
    expect(rows.length).toBe(4600);
    expect(rows.map((r) => JSON.stringify(r))).toEqual(expected.map((r) => JSON.stringify(r)));
  });
});
