import { EventTimeSessionWindows, type DataStream, type StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import type { NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { countPerBidder, type BidderWindowRow } from './count.ts';
import { bids, nexmarkEvents } from './input.ts';

/** starttime = SESSION_START (the first bid's dateTime), endtime = SESSION_END (the last bid's dateTime + the gap). */
export type Q11Row = BidderWindowRow;

export const Q11_GAP_MS = 10_000;

/** Query 11, user sessions: bids per bidder and session (`SESSION(dateTime, INTERVAL '10' SECOND)`), counted. */
export function q11(events: DataStream<NexmarkEvent>): DataStream<Q11Row> {
  return countPerBidder(bids(events, 'q11: bids'), EventTimeSessionWindows.withGap(Q11_GAP_MS)).name('q11: bids per session').uid('q11-sessions');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  q11(nexmarkEvents(env, args)).print();
};
