import { TumblingProcessingTimeWindows, type DataStream, type StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import type { NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { countPerBidder, type BidderWindowRow } from './count.ts';
import { bids, nexmarkEvents } from './input.ts';

/** starttime/endtime: the window in processing time (epoch ms). */
export type Q12Row = BidderWindowRow;

export const Q12_WINDOW_MS = 10_000;

/** Query 12, processing-time windows: bids per bidder in tumbling 10 s windows of processing time (`PROCTIME()`). */
export function q12(events: DataStream<NexmarkEvent>): DataStream<Q12Row> {
  return countPerBidder(bids(events, 'q12: bids'), TumblingProcessingTimeWindows.of(Q12_WINDOW_MS)).name('q12: bids per bidder and window').uid('q12-windows');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  q12(nexmarkEvents(env, args)).print();
};
