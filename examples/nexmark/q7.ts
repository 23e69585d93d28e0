import { TumblingEventTimeWindows, type AggregateFunction, type DataStream, type StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import type { Bid, NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { bids, emit, nexmarkEvents } from './input.ts';

/** The bid's columns. */
export interface Q7Row {
  auction: number;
  price: number;
  bidder: number;
  dateTime: number;
  extra: string;
}

export const Q7_WINDOW_MS = 10_000;

const maxPrice: AggregateFunction<Bid, number, number> = {
  createAccumulator: () => Number.NEGATIVE_INFINITY,
  add: (b, acc) => (b.price > acc ? b.price : acc),
  getResult: (acc) => acc,
  merge: (a, b) => Math.max(a, b),
};

/**
 * Query 7, highest bid: `SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra FROM bid B JOIN
 * (SELECT MAX(B1.price) AS maxprice, TUMBLE_ROWTIME(B1.dateTime, INTERVAL '10' SECOND) AS dateTime
 * FROM bid B1 GROUP BY TUMBLE(B1.dateTime, INTERVAL '10' SECOND)) B1 ON B.price = B1.maxprice WHERE
 * B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime`. Each window's maximum
 * carries the window's rowtime (its last millisecond) as timestamp, so the WHERE is an interval
 * join of the bids with the maxima on the price: a maximum at rowtime r joins the bids of that
 * price at [r − 10 s, r].
 */
export function q7(events: DataStream<NexmarkEvent>): DataStream<Q7Row> {
  const all = bids(events, 'q7: bids');
  const maxima = all
    .keyBy(() => 0)
    .window(TumblingEventTimeWindows.of(Q7_WINDOW_MS))
    .aggregate(maxPrice)
    .name('q7: max price per window')
    .uid('q7-max-price');
  return all
    .keyBy((b) => b.price)
    .intervalJoin(maxima.keyBy((p) => p))
    .between(0, Q7_WINDOW_MS)
    .process<Q7Row>({ processElement: (b, _max, _ctx, out) => out.collect({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra }) })
    .name('q7: bids at the max price')
    .uid('q7-join');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  emit(q7(nexmarkEvents(env, args)), args);
};
