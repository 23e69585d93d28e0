/**
 * The Nexmark event generator, ported from nexmark-flink (`generator/GeneratorConfig`,
 * `NexmarkGenerator`, `model/PersonGenerator`, `AuctionGenerator`, `BidGenerator`,
 * `PriceGenerator`, `StringsGenerator`, `LongGenerator`) with its default configuration.
 *
 * Event n (0, 1, 2, ...) is a pure function of n and the configuration: its kind from
 * n mod (1 + 3 + 46), its ids from n, its event time `baseTime + ⌊⌊n · 10⁶/rate⌋ / 1000⌋` ms, and
 * every random field from java.util.Random seeded with the event id, as nexmark-flink's
 * `new Random(eventId)` (with seed 0 the draws are bit for bit Java's; another seed XORs a 48-bit
 * mix of it into every event's seed). So any subset of the sequence can be generated on its own:
 * subtasks take every p-th event and together produce exactly the single-generator stream.
 */
import { JavaRandom } from './java-random.ts';
import { AUCTION, BID, PERSON, type Auction, type Bid, type NexmarkEvent, type Person } from './model.ts';

export interface NexmarkConfig {
  /** Varies every random field; 0 reproduces nexmark-flink's `new Random(eventId)`. */
  readonly seed: number;
  /** Event time of event 0, epoch ms. */
  readonly baseTime: number;
  /** Events per second of event time (nexmark-flink's `first-event.rate`). */
  readonly eventsPerSecond: number;
  readonly personProportion: number;
  readonly auctionProportion: number;
  readonly bidProportion: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  /** A bid is for a hot auction with probability 1 − 1/hotAuctionRatio. */
  readonly hotAuctionRatio: number;
  /** An auction is by a hot seller with probability 1 − 1/hotSellersRatio. */
  readonly hotSellersRatio: number;
  /** A bid is by a hot bidder with probability 1 − 1/hotBiddersRatio. */
  readonly hotBiddersRatio: number;
  /** Average number of auctions in flight (sets auction lengths and the ids bids pick from). */
  readonly numInFlightAuctions: number;
  /** People that sellers and bidders are drawn from. */
  readonly numActivePeople: number;
}

/** nexmark-flink's NexmarkConfiguration defaults, with a fixed base time (2025-01-01T00:00:00Z). */
export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  seed: 0,
  baseTime: Date.UTC(2025, 0, 1),
  eventsPerSecond: 10_000,
  personProportion: 1,
  auctionProportion: 3,
  bidProportion: 46,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
};

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const MIN_STRING_LENGTH = 3;
const TWO24 = 0x1000000;
const SPACE = 0x20;
const LOWER_A = 0x61;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

export class NexmarkGenerator {
  readonly config: NexmarkConfig;
  readonly totalProportion: number;
  /** Microseconds of event time between consecutive events. */
  private readonly interEventDelayUs: number;
  private readonly random = new JavaRandom();
  private readonly seedHi: number;
  private readonly seedLo: number;
  /** Scratch space for the characters of one string (the longest is an auction's extra). */
  private readonly chars: Buffer;

  constructor(config: Partial<NexmarkConfig> = {}) {
    const c = (this.config = { ...DEFAULT_NEXMARK_CONFIG, ...config });
    for (const k of Object.keys(DEFAULT_NEXMARK_CONFIG) as (keyof NexmarkConfig)[]) {
      if (!Number.isFinite(c[k])) throw new RangeError(`nexmark ${k} must be a number, got ${c[k]}`);
    }
    if (!(c.eventsPerSecond > 0)) throw new RangeError(`nexmark eventsPerSecond must be > 0, got ${c.eventsPerSecond}`);
    if (!Number.isSafeInteger(c.seed) || c.seed < 0) throw new RangeError(`nexmark seed must be a non-negative integer, got ${c.seed}`);
    for (const k of ['personProportion', 'auctionProportion', 'bidProportion', 'hotAuctionRatio', 'hotSellersRatio', 'hotBiddersRatio', 'numActivePeople'] as const) {
      if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw new RangeError(`nexmark ${k} must be a positive integer, got ${c[k]}`);
    }
    this.totalProportion = c.personProportion + c.auctionProportion + c.bidProportion;
    this.interEventDelayUs = 1_000_000 / c.eventsPerSecond;
    // A 48-bit mix of the seed (0 for seed 0), XORed into each event's Random seed.
    const mix = c.seed === 0 ? 0n : (BigInt(c.seed) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n) & 0xffffffffffffn;
    this.seedHi = Number(mix >> 24n);
    this.seedLo = Number(mix & 0xffffffn);
    this.chars = Buffer.alloc(Math.max(c.avgAuctionByteSize, c.avgPersonByteSize, c.avgBidByteSize, 128) * 2);
  }

  /** Event time of event n (GeneratorConfig.timestampForEvent): non-decreasing in n. */
  timestampForEvent(n: number): number {
    return this.config.baseTime + Math.floor(Math.trunc(n * this.interEventDelayUs) / 1000);
  }

  /** Kind of event n: PERSON, AUCTION or BID. */
  eventTypeOf(n: number): number {
    const rem = n % this.totalProportion;
    return rem < this.config.personProportion ? PERSON : rem < this.config.personProportion + this.config.auctionProportion ? AUCTION : BID;
  }

  /** Event n of the stream (NexmarkGenerator.nextEvent with eventsCountSoFar = n). */
  event(n: number): NexmarkEvent {
    const r = this.random;
    r.setSeedParts((Math.floor(n / TWO24) % TWO24) ^ this.seedHi, (n % TWO24) ^ this.seedLo);
    const ts = this.timestampForEvent(n);
    const type = this.eventTypeOf(n);
    if (type === BID) return { event_type: BID, person: null, auction: null, bid: this.bid(n, ts) };
    if (type === AUCTION) return { event_type: AUCTION, person: null, auction: this.auction(n, ts), bid: null };
    return { event_type: PERSON, person: this.person(n, ts), auction: null, bid: null };
  }

  /** PersonGenerator.nextPerson. */
  private person(eventId: number, ts: number): Person {
    const r = this.random;
    const id = this.lastBase0PersonId(eventId) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
    const emailAddress = `${this.nextString(7)}@${this.nextString(5)}.com`;
    const creditCard = `${pad4(r.nextInt(10000))} ${pad4(r.nextInt(10000))} ${pad4(r.nextInt(10000))} ${pad4(r.nextInt(10000))}`;
    const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
    const state = US_STATES[r.nextInt(US_STATES.length)]!;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = this.nextExtra(size, this.config.avgPersonByteSize);
    return { id, name, emailAddress, creditCard, city, state, dateTime: ts, extra };
  }

  /** AuctionGenerator.nextAuction (not the extended-bid mode). */
  private auction(eventId: number, ts: number): Auction {
    const r = this.random;
    const c = this.config;
    const id = this.lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
    const seller =
      (r.nextInt(c.hotSellersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO
        : this.nextBase0PersonId(eventId)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
    const initialBid = this.nextPrice();
    const expires = ts + this.nextAuctionLengthMs(eventId, ts);
    const itemName = this.nextString(20);
    const description = this.nextString(100);
    const reserve = initialBid + this.nextPrice();
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = this.nextExtra(size, c.avgAuctionByteSize);
    return { id, itemName, description, initialBid, reserve, dateTime: ts, expires, seller, category, extra };
  }

  /** BidGenerator.nextBid (not the extended-bid mode). */
  private bid(eventId: number, ts: number): Bid {
    const r = this.random;
    const c = this.config;
    const auction =
      (r.nextInt(c.hotAuctionRatio) > 0
        ? Math.floor(this.lastBase0AuctionId(eventId) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO
        : this.nextBase0AuctionId(eventId)) + FIRST_AUCTION_ID;
    const bidder =
      (r.nextInt(c.hotBiddersRatio) > 0
        ? Math.floor(this.lastBase0PersonId(eventId) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1
        : this.nextBase0PersonId(eventId)) + FIRST_PERSON_ID;
    const price = this.nextPrice();
    const extra = this.nextExtra(8 + 8 + 8 + 8, c.avgBidByteSize);
    return { auction, bidder, price, dateTime: ts, extra };
  }

  /** The last person id (base 0) at event `eventId`: the current one if it is a person. */
  lastBase0PersonId(eventId: number): number {
    const c = this.config;
    const epoch = Math.floor(eventId / this.totalProportion);
    let offset = eventId % this.totalProportion;
    if (offset >= c.personProportion) offset = c.personProportion - 1;
    return epoch * c.personProportion + offset;
  }

  /** The last auction id (base 0) at event `eventId`: the current one if it is an auction. */
  lastBase0AuctionId(eventId: number): number {
    const c = this.config;
    let epoch = Math.floor(eventId / this.totalProportion);
    let offset = eventId % this.totalProportion;
    if (offset < c.personProportion) {
      epoch--;
      offset = c.auctionProportion - 1;
    } else if (offset >= c.personProportion + c.auctionProportion) offset = c.auctionProportion - 1;
    else offset -= c.personProportion;
    return epoch * c.auctionProportion + offset;
  }

  /** A random active person, or one of a few not yet created. */
  private nextBase0PersonId(eventId: number): number {
    const numPeople = this.lastBase0PersonId(eventId) + 1;
    const activePeople = Math.min(numPeople, this.config.numActivePeople);
    return numPeople - activePeople + this.nextLong(activePeople + PERSON_ID_LEAD);
  }

  /** A random auction likely to be in flight, or one of a few not yet created. */
  private nextBase0AuctionId(eventId: number): number {
    const maxAuction = this.lastBase0AuctionId(eventId);
    const minAuction = Math.max(maxAuction - this.config.numInFlightAuctions, 0);
    return minAuction + this.nextLong(maxAuction - minAuction + 1 + AUCTION_ID_LEAD);
  }

  /** An auction length averaging the time until numInFlightAuctions more auctions exist. */
  private nextAuctionLengthMs(eventNumber: number, ts: number): number {
    const c = this.config;
    const numEventsForAuctions = Math.floor((c.numInFlightAuctions * this.totalProportion) / c.auctionProportion);
    const horizonMs = this.timestampForEvent(eventNumber + numEventsForAuctions) - ts;
    return 1 + this.nextLong(Math.max(horizonMs * 2, 1));
  }

  /** LongGenerator.nextLong: uniform in [0, n). */
  private nextLong(n: number): number {
    if (n < 0x7fffffff) return this.random.nextInt(n);
    const v = this.random.nextLong() % BigInt(n);
    return Number(v < 0n ? -v : v);
  }

  /** PriceGenerator.nextPrice: cents, log-uniform between 1 and 10⁸. */
  private nextPrice(): number {
    return Math.round(Math.pow(10.0, this.random.nextDouble() * 6.0) * 100.0);
  }

  /** StringsGenerator.nextString: 3 to maxLength − 1 letters and spaces, trimmed. */
  private nextString(maxLength: number): string {
    const r = this.random;
    const chars = this.chars;
    const len = MIN_STRING_LENGTH + r.nextInt(maxLength - MIN_STRING_LENGTH);
    for (let i = 0; i < len; i++) chars[i] = r.nextInt(13) === 0 ? SPACE : LOWER_A + r.nextInt(26);
    let from = 0;
    let to = len;
    while (from < to && chars[from] === SPACE) from++;
    while (to > from && chars[to - 1] === SPACE) to--;
    return latin1(chars, from, to);
  }

  /** StringsGenerator.nextExactString: six characters per nextInt(), Java's signed remainders included. */
  private nextExactString(length: number): string {
    const r = this.random;
    const chars = this.chars;
    let rnd = 0;
    let n = 0;
    for (let i = 0; i < length; i++) {
      if (n === 0) {
        rnd = r.nextIntFull();
        n = 6;
      }
      chars[i] = LOWER_A + (rnd % 26);
      rnd = (rnd / 26) | 0;
      n--;
    }
    return latin1(chars, 0, length);
  }

  /** StringsGenerator.nextExtra: pads an entity to the configured average size. */
  private nextExtra(currentSize: number, desiredAverageSize: number): string {
    if (currentSize > desiredAverageSize) return '';
    const avg = desiredAverageSize - currentSize;
    const delta = Math.round(avg * 0.2);
    const minSize = avg - delta;
    const size = minSize + (delta === 0 ? 0 : this.random.nextInt(2 * delta));
    return this.nextExactString(size);
  }
}

function pad4(n: number): string {
  return n < 10 ? `000${n}` : n < 100 ? `00${n}` : n < 1000 ? `0${n}` : `${n}`;
}

/** The characters chars[from, to) (all ASCII here) as a string, without copying them into an intermediate array. */
function latin1(chars: Buffer, from: number, to: number): string {
  return (chars as Buffer & { latin1Slice(from: number, to: number): string }).latin1Slice(from, to);
}
