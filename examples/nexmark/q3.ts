import {
  ListStateDescriptor,
  type Collector,
  type DataStream,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type ListState,
  type RuntimeContext,
  type StreamExecutionEnvironment,
} from '../../runtime/api/index.ts';
import type { Auction, NexmarkEvent, Person } from '../../runtime/connectors/nexmark/index.ts';
import { auctions, emit, nexmarkEvents, persons } from './input.ts';

export interface Q3Row {
  name: string;
  city: string;
  state: string;
  id: number;
}

export const Q3_CATEGORY = 10;
export const Q3_STATES: readonly string[] = ['OR', 'ID', 'CA'];

/**
 * The regular (unwindowed) inner join of the SQL: both sides wait in keyed state for ever, and
 * every new record is joined with all records of the other side seen so far, so each pair is
 * emitted once, when its second record arrives.
 */
class SellerJoin implements KeyedCoProcessFunction<number, Auction, Person, Q3Row> {
  private auctions!: ListState<number>;
  private persons!: ListState<Person>;

  open(ctx: RuntimeContext): void {
    this.auctions = ctx.getListState(new ListStateDescriptor<number>('q3-auctions'));
    this.persons = ctx.getListState(new ListStateDescriptor<Person>('q3-persons'));
  }

  processElement1(a: Auction, _ctx: KeyedProcessContext<number>, out: Collector<Q3Row>): void {
    this.auctions.add(a.id);
    for (const p of this.persons.get()) out.collect({ name: p.name, city: p.city, state: p.state, id: a.id });
  }

  processElement2(p: Person, _ctx: KeyedProcessContext<number>, out: Collector<Q3Row>): void {
    this.persons.add(p);
    for (const id of this.auctions.get()) out.collect({ name: p.name, city: p.city, state: p.state, id });
  }
}

/**
 * Query 3, local item suggestion: `SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN
 * person AS P on A.seller = P.id WHERE A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR
 * P.state = 'CA')`.
 */
export function q3(events: DataStream<NexmarkEvent>): DataStream<Q3Row> {
  const a = auctions(events, 'q3: auctions').filter((x) => x.category === Q3_CATEGORY).name('q3: category 10');
  const p = persons(events, 'q3: persons').filter((x) => Q3_STATES.includes(x.state)).name('q3: OR, ID, CA');
  return a
    .keyBy((x) => x.seller)
    .connect(p.keyBy((x) => x.id))
    .process(new SellerJoin())
    .name('q3: auction seller = person')
    .uid('q3-join');
}

export default (env: StreamExecutionEnvironment, args: string[]) => {
  emit(q3(nexmarkEvents(env, args)), args);
};
