import type { DataStream, StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import { BID, type NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents } from './input.ts';

export interface Q1Row {
  auction: number;
  bidder: number;
  /** Euros: 0.908 · price, exact to the 3 decimals of DECIMAL(23, 3). */
  price: number;
  dateTime: number;
  extra: string;
}

/** 0.908 · cents as the double nearest the exact decimal (price · 908 is an exact integer). */
export function toEuros(price: number): number {
  return (price * 908) / 1000;
}

/** Query 1, currency conversion: `SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`. */
export function q1(events: DataStream<NexmarkEvent>): DataStream<Q1Row> {
  return events
    .flatMap<Q1Row>((e, out) => {
      if (e.event_type !== BID) return;
      const b = e.bid!;
      out.collect({ auction: b.auction, bidder: b.bidder, price: toEuros(b.price), dateTime: b.dateTime, extra: b.extra });
    })
    .name('q1: to euros');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  q1(nexmarkEvents(env, args)).print();
};
