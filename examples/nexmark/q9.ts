import type { DataStream, StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import type { Auction, NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { emit, nexmarkEvents } from './input.ts';
import { winningBids } from './winning-bids.ts';

/** The auction's columns, then the winning bid's (`bid_dateTime`, `bid_extra` renamed as in the SQL). */
export type Q9Row = Auction & {
  auction: number;
  bidder: number;
  price: number;
  bid_dateTime: number;
  bid_extra: string;
};

/**
 * Query 9, winning bids: per auction, the bid with `dateTime BETWEEN A.dateTime AND A.expires`
 * that has the highest price, the earliest on a tie (`ROW_NUMBER() OVER (PARTITION BY A.id ORDER
 * BY B.price DESC, B.dateTime ASC) = 1`), emitted once the auction expired.
 */
export function q9(events: DataStream<NexmarkEvent>): DataStream<Q9Row> {
  return winningBids(events, 'q9')
    .map(({ auction: a, bid: b }): Q9Row => ({
      id: a.id,
      itemName: a.itemName,
      description: a.description,
      initialBid: a.initialBid,
      reserve: a.reserve,
      dateTime: a.dateTime,
      expires: a.expires,
      seller: a.seller,
      category: a.category,
      extra: a.extra,
      auction: b.auction,
      bidder: b.bidder,
      price: b.price,
      bid_dateTime: b.dateTime,
      bid_extra: b.extra,
    }))
    .name('q9: rows');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  emit(q9(nexmarkEvents(env, args)), args);
};
