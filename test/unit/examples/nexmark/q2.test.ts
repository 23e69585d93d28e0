import { describe, expect, it } from '@jest/globals';
import { q2 } from '../../../../examples/nexmark/q2.ts';
import { runQuery, writeDump } from './support/query-run.ts';

describe('nexmark q2 (selection)', () => {
  const dump = writeDump();

  it('emits auction and price of the bids for every 123rd auction', async () => {
    const expected: { auction: number; price: number }[] = [];
    for (const b of dump.bids) if (b.auction % 123 === 0) expected.push({ auction: b.auction, price: b.price });
    expect(expected.length).toBeGreaterThan(0);
    const rows = await runQuery(q2, ['--input', dump.path]);
    expect(rows.map((r) => JSON.stringify(r))).toEqual(expected.map((r) => JSON.stringify(r)));
  });
});
