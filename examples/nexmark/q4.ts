import {
  ValueStateDescriptor,
  type Collector,
  type DataStream,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type RuntimeContext,
  type StreamExecutionEnvironment,
  type ValueState,
} from '../../runtime/api/index.ts';
import type { NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { emit, nexmarkEvents } from './input.ts';
import { winningBids } from './winning-bids.ts';

/** nexmark-flink's `nexmark_q4 (id, final)`: the category and the average of its auctions' final prices. */
export interface Q4Row {
  id: number;
  final: number;
}

/** After every event: the end of a bounded input's time. */
const END_OF_TIME = Number.MAX_VALUE;

/** Per category: the sum and count of its auctions' final prices, emitted as AVG once the input ended. */
class AveragePerCategory implements KeyedProcessFunction<number, [number, number], Q4Row> {
  private sum!: ValueState<[number, number]>;

  open(ctx: RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor<[number, number]>('q4-sum-count'));
  }

  processElement([, price]: [number, number], ctx: KeyedProcessContext<number>): void {
    const [sum, count] = this.sum.value() ?? [0, 0];
    if (count === 0) ctx.timerService().registerEventTimeTimer(END_OF_TIME);
    this.sum.update([sum + price, count + 1]);
  }

  onTimer(_ts: number, ctx: OnTimerContext<number>, out: Collector<Q4Row>): void {
    const [sum, count] = this.sum.value()!;
    // Flink's AVG of a BIGINT is a BIGINT: the integer part of the quotient.
    out.collect({ id: ctx.getCurrentKey(), final: Math.trunc(sum / count) });
  }
}

/**
 * Query 4, average price per category: `SELECT Q.category, AVG(Q.final) FROM (SELECT MAX(B.price)
 * AS final, A.category FROM auction A, bid B WHERE A.id = B.auction AND B.dateTime BETWEEN
 * A.dateTime AND A.expires GROUP BY A.id, A.category) Q GROUP BY Q.category`. The SQL's result is
 * an updating table; its final rows (one per category) are emitted when the input ends.
 */
export function q4(events: DataStream<NexmarkEvent>): DataStream<Q4Row> {
  return winningBids(events, 'q4')
    // Only what the average needs crosses the network: whole auctions and bids make large batches.
    .map((w): [number, number] => [w.auction.category, w.bid.price])
    .name('q4: category and final price')
    .keyBy(([category]) => category)
    .process(new AveragePerCategory())
    .name('q4: average per category')
    .uid('q4-average');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  emit(q4(nexmarkEvents(env, args)), args);
};
