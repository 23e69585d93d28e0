/**
 * The Nexmark event model with nexmark-flink's field names (its `Person`, `Auction`, `Bid` and
 * `Event`), times as epoch milliseconds. An event is the shape of one line of a dump:
 * `{"event_type":0|1|2,"person":{...}|null,"auction":{...}|null,"bid":{...}|null}`.
 */

export const PERSON = 0;
export const AUCTION = 1;
export const BID = 2;
export type EventType = typeof PERSON | typeof AUCTION | typeof BID;

/** A new person, registering to sell or bid. */
export interface Person {
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  /** Epoch ms. */
  dateTime: number;
  extra: string;
}

/** A new auction. */
export interface Auction {
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  /** Epoch ms. */
  dateTime: number;
  /** Epoch ms. */
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

/** A bid for an auction (price in cents). */
export interface Bid {
  auction: number;
  bidder: number;
  price: number;
  /** Epoch ms. */
  dateTime: number;
  extra: string;
}

/** Exactly one of `person`, `auction`, `bid` is set, as `event_type` says. */
export interface NexmarkEvent {
  event_type: EventType;
  person: Person | null;
  auction: Auction | null;
  bid: Bid | null;
}

/** The event time of an event: the `dateTime` of whichever entity it carries. */
export function eventTime(e: NexmarkEvent): number {
  return e.event_type === BID ? e.bid!.dateTime : e.event_type === AUCTION ? e.auction!.dateTime : e.person!.dateTime;
}
