import {
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type AggregateFunction,
  type DataStream,
  type StreamExecutionEnvironment,
  type TimeWindow,
} from '../../runtime/api/index.ts';
import type { NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { countAll } from './count.ts';
import { bids, nexmarkEvents } from './input.ts';

export interface Q5Row {
  auction: number;
  num: number;
  /** Window start, epoch ms. */
  starttime: number;
  /** Window end (exclusive), epoch ms. */
  endtime: number;
}

export const Q5_WINDOW_MS = 10_000;
export const Q5_SLIDE_MS = 2_000;

/** The rows of one window with the largest count (ties: all of them). */
interface Hottest {
  num: number;
  rows: Q5Row[];
}

const hottest: AggregateFunction<Q5Row, Hottest, Q5Row[]> = {
  createAccumulator: () => ({ num: -1, rows: [] }),
  add: (r, acc) => {
    if (r.num > acc.num) return { num: r.num, rows: [r] };
    if (r.num === acc.num) acc.rows.push(r);
    return acc;
  },
  getResult: (acc) => acc.rows,
  merge: (a, b) => (a.num > b.num ? a : b.num > a.num ? b : { num: a.num, rows: [...a.rows, ...b.rows] }),
};

/**
 * Query 5, hot items: per sliding window of 10 s every 2 s, the auctions with the most bids
 * (`HOP(bid, dateTime, 2 s, 10 s)`, count per auction, joined with the per-window maximum on
 * `num >= maxn`). The per-auction counts of a window all carry its last millisecond as timestamp,
 * so a 2 s tumbling window keyed by window start gathers exactly one sliding window's counts.
 */
export function q5(events: DataStream<NexmarkEvent>): DataStream<Q5Row> {
  return bids(events, 'q5: bids')
    .keyBy((b) => b.auction)
    .window(SlidingEventTimeWindows.of(Q5_WINDOW_MS, Q5_SLIDE_MS))
    .aggregate<number, number, Q5Row>(countAll, {
      process(auction: number, ctx, [num], out) {
        const w: TimeWindow = ctx.window();
        out.collect({ auction, num: num!, starttime: w.start, endtime: w.end });
      },
    })
    .name('q5: bids per auction and window')
    .uid('q5-auction-bids')
    .keyBy((r) => r.starttime)
    .window(TumblingEventTimeWindows.of(Q5_SLIDE_MS))
    .aggregate<Hottest, Q5Row[], Q5Row>(hottest, {
      process(_start: number, _ctx, [rows], out) {
        for (const r of rows!) out.collect(r);
      },
    })
    .name('q5: max per window')
    .uid('q5-max-bids');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  q5(nexmarkEvents(env, args)).print();
};
