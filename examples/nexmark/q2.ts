import type { DataStream, StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import { BID, type NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents } from './input.ts';

export interface Q2Row {
  auction: number;
  price: number;
}

/** Query 2, selection: `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`. */
export function q2(events: DataStream<NexmarkEvent>): DataStream<Q2Row> {
  return events
    .flatMap<Q2Row>((e, out) => {
      if (e.event_type !== BID) return;
      const b = e.bid!;
      if (b.auction % 123 === 0) out.collect({ auction: b.auction, price: b.price });
    })
    .name('q2: auction % 123 = 0');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  q2(nexmarkEvents(env, args)).print();
};
