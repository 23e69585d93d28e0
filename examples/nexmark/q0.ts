import type { DataStream, StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import type { Bid, NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { bids, nexmarkEvents } from './input.ts';

/** Query 0, pass-through: `SELECT auction, bidder, price, dateTime, extra FROM bid` (the bid itself). */
export function q0(events: DataStream<NexmarkEvent>): DataStream<Bid> {
  return bids(events, 'q0: bids');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  q0(nexmarkEvents(env, args)).print();
};
