import {
  FileSource,
  type Sink,
  WatermarkStrategy,
  type DataStream,
  type StreamExecutionEnvironment,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../../runtime/api/index.ts';
import { AUCTION, BID, eventTime, NexmarkSource, PERSON, type Auction, type Bid, type NexmarkEvent, type Person } from '../../runtime/connectors/nexmark/index.ts';

/** nexmark-flink's `WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND`. */
export const WATERMARK_DELAY_MS = 4_000;

/** The largest `dateTime` seen minus 4 s, emitted periodically (Flink SQL's watermark: no extra −1 ms). */
class DateTimeMinusDelay implements WatermarkGenerator<NexmarkEvent> {
  private max = Number.NEGATIVE_INFINITY;
  onEvent(_e: NexmarkEvent, timestamp: number): void {
    if (timestamp > this.max) this.max = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.max !== Number.NEGATIVE_INFINITY) output.emitWatermark(this.max - WATERMARK_DELAY_MS);
  }
}

/** Event time = the event's `dateTime`, watermark = the largest `dateTime` seen − 4 s. */
export function nexmarkWatermarks(): WatermarkStrategy<NexmarkEvent> {
  return WatermarkStrategy.forGenerator<NexmarkEvent>(() => new DateTimeMinusDelay()).withTimestampAssigner((e) => eventTime(e));
}

/** Where a query's events come from: a dump (`--input FILE`) or the generator (`--events N --seed S --rate R`). */
export interface NexmarkInput {
  readonly input?: string;
  readonly events?: number;
  readonly seed?: number;
  /** Events per second of event time. */
  readonly rate?: number;
  /** Where the default job sends its rows: print (JSON lines on stdout) or blackhole (nowhere, for benchmarks). */
  readonly sink?: 'print' | 'blackhole';
}

const USAGE = 'nexmark query arguments: (--input FILE | [--events N] [--seed S] [--rate EVENTS_PER_SECOND]) [--sink print|blackhole]';

/** Parses a query module's job arguments. */
export function parseNexmarkArgs(args: readonly string[]): NexmarkInput {
  const out: { input?: string; events?: number; seed?: number; rate?: number; sink?: 'print' | 'blackhole' } = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value; ${USAGE}`);
    if (flag === '--input') out.input = value;
    else if (flag === '--sink') {
      if (value !== 'print' && value !== 'blackhole') throw new Error(`--sink must be print or blackhole, got "${value}"`);
      out.sink = value;
    }
    else if (flag === '--events' || flag === '--seed' || flag === '--rate') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number, got "${value}"`);
      out[flag.slice(2) as 'events' | 'seed' | 'rate'] = n;
    } else throw new Error(`unknown argument "${flag}"; ${USAGE}`);
  }
  return out;
}

/**
 * The event stream with nexmark-flink's event time and watermark (dateTime − 4 s): one JSON
 * event a line from a dump, else the generator (bounded by --events, unbounded without it).
 */
export function nexmarkEvents(env: StreamExecutionEnvironment, args: readonly string[]): DataStream<NexmarkEvent> {
  const a = parseNexmarkArgs(args);
  if (a.input !== undefined) {
    return env
      .fromSource(new FileSource(a.input), WatermarkStrategy.noWatermarks<string>(), 'Source: Nexmark dump')
      .uid('nexmark-dump')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as NexmarkEvent)
      .name('Parse')
      .assignTimestampsAndWatermarks(nexmarkWatermarks());
  }
  const source = new NexmarkSource({ events: a.events, seed: a.seed, eventsPerSecond: a.rate });
  return env.fromSource(source, nexmarkWatermarks(), 'Source: Nexmark').uid('nexmark-source');
}

/** The bids of the stream (nexmark-flink's `bid` view), as one chained operator. */
export function bids(events: DataStream<NexmarkEvent>, name: string): DataStream<Bid> {
  return events
    .flatMap<Bid>((e, out) => {
      if (e.event_type === BID) out.collect(e.bid!);
    })
    .name(name);
}

/** The new persons of the stream (nexmark-flink's `person` view). */
export function persons(events: DataStream<NexmarkEvent>, name: string): DataStream<Person> {
  return events
    .flatMap<Person>((e, out) => {
      if (e.event_type === PERSON) out.collect(e.person!);
    })
    .name(name);
}

/** The new auctions of the stream (nexmark-flink's `auction` view). */
export function auctions(events: DataStream<NexmarkEvent>, name: string): DataStream<Auction> {
  return events
    .flatMap<Auction>((e, out) => {
      if (e.event_type === AUCTION) out.collect(e.auction!);
    })
    .name(name);
}

/** Discards every row (Flink's blackhole connector, which nexmark-flink's queries write into). */
const blackhole: Sink<unknown> = { createWriter: () => ({ write() {} }) };

/** The end of a query job: its rows printed as JSON lines, or discarded with `--sink blackhole`. */
export function emit<R>(rows: DataStream<R>, args: readonly string[]): void {
  if (parseNexmarkArgs(args).sink === 'blackhole') rows.sinkTo(blackhole as Sink<R>).name('Blackhole');
  else rows.print();
}
