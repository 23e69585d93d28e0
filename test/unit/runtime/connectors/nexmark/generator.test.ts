import { describe, expect, it } from '@jest/globals';
import { AUCTION, BID, DEFAULT_NEXMARK_CONFIG, NexmarkGenerator, PERSON, type NexmarkEvent } from '../../../../../runtime/connectors/nexmark/index.ts';

const N = 50_000;
const events = (g: NexmarkGenerator, n = N): NexmarkEvent[] => Array.from({ length: n }, (_, i) => g.event(i));

describe('NexmarkGenerator', () => {
  const g = new NexmarkGenerator({ seed: 7 });
  const all = events(g);

  it('makes persons : auctions : bids = 1 : 3 : 46 in every block of 50 events (person first, then auctions, then bids)', () => {
    const kinds = all.map((e) => e.event_type);
    expect(kinds.filter((k) => k === PERSON).length).toBe(1000);
    expect(kinds.filter((k) => k === AUCTION).length).toBe(3000);
    expect(kinds.filter((k) => k === BID).length).toBe(46000);
    expect(kinds.slice(0, 50)).toEqual([PERSON, AUCTION, AUCTION, AUCTION, ...Array<number>(46).fill(BID)]);
    expect(all.filter((e) => [e.person, e.auction, e.bid].filter((x) => x !== null).length !== 1)).toEqual([]);
    expect(new Set(all.map((e) => Object.keys(e).join()))).toEqual(new Set(['event_type,person,auction,bid']));
  });

  it('is deterministic for a seed, and another seed changes the random fields but not ids or times', () => {
    expect(events(new NexmarkGenerator({ seed: 7 }), 2000)).toEqual(all.slice(0, 2000));
    const other = events(new NexmarkGenerator({ seed: 8 }), 2000);
    expect(other).not.toEqual(all.slice(0, 2000));
    expect(other.map((e) => e.person?.id ?? e.auction?.id ?? e.bid!.dateTime)).toEqual(all.slice(0, 2000).map((e) => e.person?.id ?? e.auction?.id ?? e.bid!.dateTime));
  });

  it('with seed 0 draws from new Random(eventId) as nexmark-flink does: its first person, auction and bid', () => {
    const g0 = new NexmarkGenerator();
    const p = g0.event(0).person!;
    expect([p.id, p.name, p.emailAddress, p.creditCard, p.city, p.state, p.dateTime]).toEqual([1000, 'Peter Jones', 'nhd@xcat.com', '7241 7320 9143 4888', 'Portland', 'WY', Date.UTC(2025, 0, 1)]);
    const a = g0.event(1).auction!;
    expect([a.id, a.itemName, a.initialBid, a.reserve, a.expires - a.dateTime, a.seller, a.category]).toEqual([1000, 'wkx mgee', 28873, 29448, 11, 1000, 13]);
    const b = g0.event(4).bid!;
    expect([b.auction, b.bidder, b.price]).toEqual([1000, 1001, 32530001]);
  });

  it('numbers persons and auctions consecutively from 1000, and bids refer to existing (or a few upcoming) ones', () => {
    let persons = 0;
    let auctions = 0;
    let hotAuctionBids = 0;
    let hotBidderBids = 0;
    // Every rule broken, with the event number (jest's expect per field would take long for 50,000 events).
    const broken: string[] = [];
    const check = (ok: boolean, rule: string, n: number) => {
      if (!ok) broken.push(`${n}: ${rule}`);
    };
    all.forEach((e, n) => {
      if (e.person) {
        const p = e.person;
        check(p.id === 1000 + persons++, 'person id', n);
        check(/^\d{4} \d{4} \d{4} \d{4}$/.test(p.creditCard), 'credit card', n);
        check(/^[a-z ]*@[a-z ]*\.com$/.test(p.emailAddress), 'email', n);
      } else if (e.auction) {
        const a = e.auction;
        check(a.id === 1000 + auctions++, 'auction id', n);
        check(a.category >= 10 && a.category <= 14, 'category', n);
        check(a.seller >= 1000 && a.seller < 1000 + persons + 10, 'seller', n);
        check(a.reserve >= a.initialBid, 'reserve', n);
        check(a.expires > a.dateTime, 'expires', n);
      } else {
        const b = e.bid!;
        check(b.auction >= Math.max(1000, 1000 + auctions - 1 - 100) && b.auction < 1000 + auctions + 10, 'bid auction', n);
        check(b.bidder >= Math.max(1000, 1000 + persons - 1000) && b.bidder < 1000 + persons + 10, 'bidder', n);
        check(Number.isInteger(b.price) && b.price >= 100 && b.price <= 100_000_000, 'price', n);
        check(b.extra.length >= 54 && b.extra.length < 82, 'extra', n);
        // Hot auction: the first of the last 100 auctions; hot bidder: the second of the last 100 persons.
        if (b.auction === 1000 + Math.floor((auctions - 1) / 100) * 100) hotAuctionBids++;
        if (b.bidder === 1000 + Math.floor((persons - 1) / 100) * 100 + 1) hotBidderBids++;
      }
    });
    expect(broken).toEqual([]);
    // P(hot auction) = 1 − 1/2, P(hot bidder) = 1 − 1/4, plus the random picks that land on them.
    expect(hotAuctionBids / 46000).toBeGreaterThan(0.49);
    expect(hotAuctionBids / 46000).toBeLessThan(0.54);
    expect(hotBidderBids / 46000).toBeGreaterThan(0.74);
    expect(hotBidderBids / 46000).toBeLessThan(0.78);
  });

  it('gives event n the time baseTime + n / rate (whole ms), non-decreasing', () => {
    const rate = DEFAULT_NEXMARK_CONFIG.eventsPerSecond;
    const times = all.map((e) => e.person?.dateTime ?? e.auction?.dateTime ?? e.bid!.dateTime);
    expect(times).toEqual(all.map((_, n) => g.timestampForEvent(n)));
    expect(times).toEqual(all.map((_, n) => DEFAULT_NEXMARK_CONFIG.baseTime + Math.floor((n * 1000) / rate)));
    expect(times.filter((t, n) => n > 0 && t < times[n - 1]!)).toEqual([]);
    const slow = new NexmarkGenerator({ eventsPerSecond: 3, baseTime: 1000 });
    expect([0, 1, 2, 3, 4].map((n) => slow.timestampForEvent(n))).toEqual([1000, 1333, 1666, 2000, 2333]);
  });

  it('refuses configurations it cannot generate', () => {
    expect(() => new NexmarkGenerator({ eventsPerSecond: 0 })).toThrow('eventsPerSecond must be > 0');
    expect(() => new NexmarkGenerator({ seed: -1 })).toThrow('seed must be a non-negative integer');
    expect(() => new NexmarkGenerator({ bidProportion: 0 })).toThrow('bidProportion must be a positive integer');
  });
});
