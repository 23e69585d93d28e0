import { TumblingEventTimeWindows, type DataStream, type StreamExecutionEnvironment } from '../../runtime/api/index.ts';
import type { NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { auctions, emit, nexmarkEvents, persons } from './input.ts';

export interface Q8Row {
  id: number;
  name: string;
  /** Window start, epoch ms. */
  starttime: number;
}

export const Q8_WINDOW_MS = 10_000;

/**
 * Query 8, monitor new users: the persons who created an auction in the same tumbling 10 s window
 * in which they registered (`... GROUP BY P.id, P.name, TUMBLE(P.dateTime, INTERVAL '10' SECOND)`
 * joined with `... GROUP BY A.seller, TUMBLE(A.dateTime, INTERVAL '10' SECOND)` on id = seller and
 * the window). A coGroup per person id and window: one row per (id, name) that has both sides.
 */
export function q8(events: DataStream<NexmarkEvent>): DataStream<Q8Row> {
  return persons(events, 'q8: persons')
    .coGroup(auctions(events, 'q8: auctions'))
    .where((p) => p.id)
    .equalTo((a) => a.seller)
    .window(TumblingEventTimeWindows.of(Q8_WINDOW_MS))
    .apply<Q8Row>((people, sold, out) => {
      if (sold.length === 0) return;
      const seen = new Set<string>();
      for (const p of people) {
        if (seen.has(p.name)) continue;
        seen.add(p.name);
        out.collect({ id: p.id, name: p.name, starttime: p.dateTime - (p.dateTime % Q8_WINDOW_MS) });
      }
    })
    .name('q8: new sellers')
    .uid('q8-join');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  emit(q8(nexmarkEvents(env, args)), args);
};
