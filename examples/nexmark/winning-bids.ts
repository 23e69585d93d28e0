import {
  ListStateDescriptor,
  ValueStateDescriptor,
  type Collector,
  type DataStream,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
} from '../../runtime/api/index.ts';
import type { Auction, Bid, NexmarkEvent } from '../../runtime/connectors/nexmark/index.ts';
import { auctions, bids } from './input.ts';

/** An auction with its winning bid. */
export interface WinningBid {
  auction: Auction;
  bid: Bid;
}

/** The winner of two valid bids: the higher price, then the earlier dateTime (q9's ORDER BY price DESC, dateTime ASC). */
export function better(a: Bid, b: Bid): boolean {
  return a.price > b.price || (a.price === b.price && a.dateTime < b.dateTime);
}

/**
 * Per auction, the best of its bids with `dateTime BETWEEN A.dateTime AND A.expires`: the join of
 * q4 and q9. Bids that come before their auction wait in state. The result is final once the
 * watermark passes the auction's `expires` (no valid bid can come later), so it is emitted then, once
 * (an auction without a valid bid emits nothing, as the inner join).
 */
class BestBid implements KeyedCoProcessFunction<number, Auction, Bid, WinningBid> {
  private auction!: ValueState<Auction>;
  private best!: ValueState<Bid>;
  private early!: ListState<Bid>;

  open(ctx: RuntimeContext): void {
    this.auction = ctx.getState(new ValueStateDescriptor<Auction>('auction'));
    this.best = ctx.getState(new ValueStateDescriptor<Bid>('best-bid'));
    this.early = ctx.getListState(new ListStateDescriptor<Bid>('bids-before-auction'));
  }

  processElement1(a: Auction, ctx: KeyedProcessContext<number>): void {
    this.auction.update(a);
    for (const b of this.early.get()) this.offer(a, b);
    this.early.clear();
    ctx.timerService().registerEventTimeTimer(a.expires);
  }

  processElement2(b: Bid): void {
    const a = this.auction.value();
    if (a === undefined) this.early.add(b);
    else this.offer(a, b);
  }

  onTimer(_ts: number, _ctx: OnTimerContext<number>, out: Collector<WinningBid>): void {
    const bid = this.best.value();
    if (bid !== undefined) out.collect({ auction: this.auction.value()!, bid });
    // The auction stays (as the SQL join's state does): later bids find it and fall outside its time.
    this.best.clear();
  }

  private offer(a: Auction, b: Bid): void {
    if (b.dateTime < a.dateTime || b.dateTime > a.expires) return;
    const best = this.best.value();
    if (best === undefined || better(b, best)) this.best.update(b);
  }
}

/** Each auction with its winning bid, once the auction has expired in event time. */
export function winningBids(events: DataStream<NexmarkEvent>, query: string): DataStream<WinningBid> {
  return auctions(events, `${query}: auctions`)
    .keyBy((a) => a.id)
    .connect(bids(events, `${query}: bids`).keyBy((b) => b.auction))
    .process(new BestBid())
    .name(`${query}: winning bids`)
    .uid(`${query}-winning-bids`);
}
