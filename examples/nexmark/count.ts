import type { AggregateFunction, DataStream, WindowAssigner } from '../../runtime/api/index.ts';
import type { Bid } from '../../runtime/connectors/nexmark/index.ts';

/** `count(*)` as an incremental window aggregate. */
export const countAll: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_value, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

/** A row of q11 and q12: `bidder, count(*) AS bid_count, window start AS starttime, window end AS endtime`. */
export interface BidderWindowRow {
  bidder: number;
  bid_count: number;
  /** Window start, epoch ms. */
  starttime: number;
  /** Window end, epoch ms. */
  endtime: number;
}

/** Bids counted per bidder and window of `assigner` (q11: sessions, q12: processing-time tumbling). */
export function countPerBidder(bids: DataStream<Bid>, assigner: WindowAssigner<Bid>): DataStream<BidderWindowRow> {
  return bids
    .keyBy((b) => b.bidder)
    .window(assigner)
    .aggregate<number, number, BidderWindowRow>(countAll, {
      process(bidder: number, ctx, [count], out) {
        const w = ctx.window();
        out.collect({ bidder, bid_count: count!, starttime: w.start, endtime: w.end });
      },
    });
}
