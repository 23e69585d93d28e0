// Nexmark: each query (q0 q1 q2 q3 q4 q5 q7 q8 q9 q11 q12) over generated events at parallelism 1 in this
// process, as events per second per core: events ÷ CPU seconds (wall time × cores busy, from
// process.cpuUsage; the machine is shared, and CPU time is what a busy neighbour does not distort).
// Two lines per query: against Flink 1.13's published per-core figure (nexmark README; measured on
// other machines, with RocksDB and mini-batching) and against a hand-written TypeScript loop doing
// the same query over the same generated events in this run (whose result the engine's must equal).
// Then across 2 TaskManagers (`sluice run --taskmanagers 2`, parallelism 2): events ÷ the CPU
// seconds of all the cluster's processes, less those of the same cluster running 0 events.
// Events are generated at nexmark-flink's benchmark rate of 10M events/s of event time.
// NEXMARK_EVENTS=N overrides the number of events per run, NEXMARK_QUERIES=q0,q5 picks queries,
// NEXMARK_CLUSTER=0 skips the TaskManager runs.
import { spawnSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type DataStream, type Sink } from '../runtime/api/index.ts';
import { localEnvironment } from '../runtime/cluster/local-environment.ts';
import { AUCTION, BID, NexmarkGenerator, PERSON, type Bid, type NexmarkEvent } from '../runtime/connectors/nexmark/index.ts';
import { nexmarkEvents } from '../examples/nexmark/input.ts';
import { q0 } from '../examples/nexmark/q0.ts';
import { q1, toEuros } from '../examples/nexmark/q1.ts';
import { q2 } from '../examples/nexmark/q2.ts';
import { q3, Q3_CATEGORY, Q3_STATES } from '../examples/nexmark/q3.ts';
import { q4 } from '../examples/nexmark/q4.ts';
import { q5, Q5_SLIDE_MS, Q5_WINDOW_MS } from '../examples/nexmark/q5.ts';
import { q7, Q7_WINDOW_MS } from '../examples/nexmark/q7.ts';
import { q8, Q8_WINDOW_MS } from '../examples/nexmark/q8.ts';
import { q9 } from '../examples/nexmark/q9.ts';
import { better } from '../examples/nexmark/winning-bids.ts';
import { q11, Q11_GAP_MS } from '../examples/nexmark/q11.ts';
import { q12 } from '../examples/nexmark/q12.ts';
import type { BenchResult } from './bench-result.ts';

const here = dirname(fileURLToPath(import.meta.url));
const RATE = 10_000_000;
const SEED = 0;
const MOD = 1_000_000_007;

// process.cpuUsage counts V8's helper threads too, so garbage a contender leaves behind would be
// collected on the next one's time: collect it before every measurement.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

type Row = Record<string, number | string>;
type Build = (events: DataStream<NexmarkEvent>) => DataStream<unknown>;
/** A query's builder with its row type forgotten (the bench only checksums rows). */
const rowsOf = <R>(query: (events: DataStream<NexmarkEvent>) => DataStream<R>): Build => query as unknown as Build;

/** An order-independent checksum of result rows over some numeric columns (cheap: a blackhole that counts). */
class Checksum {
  rows = 0;
  sum = 0;
  constructor(private readonly columns: readonly string[]) {}
  add(row: Row): void {
    let h = 0;
    for (const c of this.columns) {
      const v = row[c] as number;
      // q1's prices have 3 decimals.
      h += Number.isInteger(v) ? v : Math.round(v * 1000);
    }
    this.rows++;
    this.sum += h;
    if (this.sum > 2 ** 52) this.sum %= MOD;
  }
  get value(): string {
    return `${this.rows} rows, sum ${this.sum % MOD}`;
  }
}

interface Query {
  readonly name: string;
  /** Flink 1.13's published throughput per core, events/s (nexmark README). */
  readonly flinkPerCore: number;
  readonly events: number;
  readonly columns: readonly string[];
  readonly build: Build;
  /** The same query written by hand over events 0..n-1 of `g`, its rows into `out`. */
  readonly loop: (g: NexmarkGenerator, n: number, out: Checksum) => void;
}

function countPerWindow(g: NexmarkGenerator, n: number, windowsOf: (t: number) => number[], size: number, out: Checksum): void {
  const perWindow = new Map<number, Map<number, number>>();
  for (let i = 0; i < n; i++) {
    const e = g.event(i);
    if (e.event_type !== BID) continue;
    const b = e.bid!;
    for (const start of windowsOf(b.dateTime)) {
      let counts = perWindow.get(start);
      if (counts === undefined) perWindow.set(start, (counts = new Map()));
      counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
    }
  }
  for (const [start, counts] of perWindow) {
    let max = 0;
    for (const c of counts.values()) if (c > max) max = c;
    for (const [auction, num] of counts) if (num === max) out.add({ auction, num, starttime: start, endtime: start + size });
  }
}

/** Per auction, its best bid within its time (q4 and q9 by hand): auction fields and bid, in no particular order. */
function winningBidsByHand(g: NexmarkGenerator, n: number, emit: (category: number, auctionId: number, b: Bid) => void): void {
  const auctions = new Map<number, { category: number; dateTime: number; expires: number; best: Bid | undefined }>();
  const early = new Map<number, Bid[]>();
  const offer = (a: { dateTime: number; expires: number; best: Bid | undefined }, b: Bid) => {
    if (b.dateTime >= a.dateTime && b.dateTime <= a.expires && (a.best === undefined || better(b, a.best))) a.best = b;
  };
  for (let i = 0; i < n; i++) {
    const e = g.event(i);
    if (e.event_type === AUCTION) {
      const a = { category: e.auction!.category, dateTime: e.auction!.dateTime, expires: e.auction!.expires, best: undefined as Bid | undefined };
      auctions.set(e.auction!.id, a);
      for (const b of early.get(e.auction!.id) ?? []) offer(a, b);
      early.delete(e.auction!.id);
    } else if (e.event_type === BID) {
      const a = auctions.get(e.bid!.auction);
      if (a === undefined) early.set(e.bid!.auction, [...(early.get(e.bid!.auction) ?? []), e.bid!]);
      else offer(a, e.bid!);
    }
  }
  for (const [id, a] of auctions) if (a.best !== undefined) emit(a.category, id, a.best);
}

const QUERIES: Query[] = [
  {
    name: 'q0',
    flinkPerCore: 155_020,
    events: 2_000_000,
    columns: ['auction', 'bidder', 'price', 'dateTime'],
    build: rowsOf(q0),
    loop: (g, n, out) => {
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type === BID) out.add(e.bid! as unknown as Row);
      }
    },
  },
  {
    name: 'q1',
    flinkPerCore: 157_940,
    events: 2_000_000,
    columns: ['auction', 'bidder', 'price', 'dateTime'],
    build: rowsOf(q1),
    loop: (g, n, out) => {
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type !== BID) continue;
        const b = e.bid!;
        out.add({ auction: b.auction, bidder: b.bidder, price: toEuros(b.price), dateTime: b.dateTime, extra: b.extra });
      }
    },
  },
  {
    name: 'q2',
    flinkPerCore: 175_210,
    events: 2_000_000,
    columns: ['auction', 'price'],
    build: rowsOf(q2),
    loop: (g, n, out) => {
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type === BID && e.bid!.auction % 123 === 0) out.add({ auction: e.bid!.auction, price: e.bid!.price });
      }
    },
  },
  {
    name: 'q3',
    flinkPerCore: 152_120,
    events: 1_000_000,
    columns: ['id'],
    build: rowsOf(q3),
    loop: (g, n, out) => {
      const sellers = new Map<number, { name: string; city: string; state: string }>();
      const sold = new Map<number, number[]>();
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type === PERSON && Q3_STATES.includes(e.person!.state)) {
          const p = e.person!;
          sellers.set(p.id, p);
          for (const id of sold.get(p.id) ?? []) out.add({ name: p.name, city: p.city, state: p.state, id });
        } else if (e.event_type === AUCTION && e.auction!.category === Q3_CATEGORY) {
          const a = e.auction!;
          sold.set(a.seller, [...(sold.get(a.seller) ?? []), a.id]);
          const p = sellers.get(a.seller);
          if (p !== undefined) out.add({ name: p.name, city: p.city, state: p.state, id: a.id });
        }
      }
    },
  },
  {
    name: 'q4',
    flinkPerCore: 34_330,
    events: 500_000,
    columns: ['id', 'final'],
    build: rowsOf(q4),
    loop: (g, n, out) => {
      const perCategory = new Map<number, [number, number]>();
      winningBidsByHand(g, n, (category, _id, b) => {
        const [sum, count] = perCategory.get(category) ?? [0, 0];
        perCategory.set(category, [sum + b.price, count + 1]);
      });
      for (const [id, [sum, count]] of perCategory) out.add({ id, final: Math.trunc(sum / count) });
    },
  },
  {
    name: 'q5',
    flinkPerCore: 22_140,
    events: 1_000_000,
    columns: ['auction', 'num', 'starttime', 'endtime'],
    build: rowsOf(q5),
    loop: (g, n, out) =>
      countPerWindow(
        g,
        n,
        (t) => {
          const starts: number[] = [];
          for (let s = t - (t % Q5_SLIDE_MS); s > t - Q5_WINDOW_MS; s -= Q5_SLIDE_MS) starts.push(s);
          return starts;
        },
        Q5_WINDOW_MS,
        out,
      ),
  },
  {
    name: 'q7',
    flinkPerCore: 12_330,
    events: 500_000,
    columns: ['auction', 'price', 'bidder', 'dateTime'],
    build: rowsOf(q7),
    loop: (g, n, out) => {
      // Per window: its max, the bids at that max, and its last millisecond's bids (which also meet the next window's max).
      const windows = new Map<number, { max: number; atMax: Bid[]; lastMs: Bid[] }>();
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type !== BID) continue;
        const b = e.bid!;
        const start = b.dateTime - (b.dateTime % Q7_WINDOW_MS);
        let w = windows.get(start);
        if (w === undefined) windows.set(start, (w = { max: Number.NEGATIVE_INFINITY, atMax: [], lastMs: [] }));
        if (b.price > w.max) {
          w.max = b.price;
          w.atMax = [b];
        } else if (b.price === w.max) w.atMax.push(b);
        if (b.dateTime === start + Q7_WINDOW_MS - 1) w.lastMs.push(b);
      }
      const row = (b: Bid) => ({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
      for (const [start, w] of windows) {
        for (const b of w.atMax) out.add(row(b));
        for (const b of windows.get(start - Q7_WINDOW_MS)?.lastMs ?? []) if (b.price === w.max) out.add(row(b));
      }
    },
  },
  {
    name: 'q8',
    flinkPerCore: 146_140,
    events: 1_000_000,
    columns: ['id', 'starttime'],
    build: rowsOf(q8),
    loop: (g, n, out) => {
      const persons = new Map<string, { id: number; name: string; starttime: number }>();
      const sellers = new Set<string>();
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type === PERSON) {
          const p = e.person!;
          const starttime = p.dateTime - (p.dateTime % Q8_WINDOW_MS);
          persons.set(`${p.id}@${starttime}`, { id: p.id, name: p.name, starttime });
        } else if (e.event_type === AUCTION) {
          const a = e.auction!;
          sellers.add(`${a.seller}@${a.dateTime - (a.dateTime % Q8_WINDOW_MS)}`);
        }
      }
      for (const [key, p] of persons) if (sellers.has(key)) out.add(p);
    },
  },
  {
    name: 'q9',
    flinkPerCore: 14_240,
    events: 500_000,
    columns: ['id', 'auction', 'bidder', 'price', 'bid_dateTime'],
    build: rowsOf(q9),
    loop: (g, n, out) => winningBidsByHand(g, n, (_category, id, b) => out.add({ id, auction: b.auction, bidder: b.bidder, price: b.price, bid_dateTime: b.dateTime })),
  },
  {
    name: 'q11',
    flinkPerCore: 39_700,
    events: 1_000_000,
    columns: ['bidder', 'bid_count', 'starttime', 'endtime'],
    build: rowsOf(q11),
    loop: (g, n, out) => {
      const open = new Map<number, { bidder: number; bid_count: number; starttime: number; endtime: number }>();
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type !== BID) continue;
        const b = e.bid!;
        const s = open.get(b.bidder);
        if (s !== undefined && b.dateTime <= s.endtime) {
          s.bid_count++;
          s.endtime = b.dateTime + Q11_GAP_MS;
        } else {
          if (s !== undefined) out.add(s);
          open.set(b.bidder, { bidder: b.bidder, bid_count: 1, starttime: b.dateTime, endtime: b.dateTime + Q11_GAP_MS });
        }
      }
      for (const s of open.values()) out.add(s);
    },
  },
  {
    name: 'q12',
    flinkPerCore: 75_670,
    events: 1_000_000,
    // Processing-time windows: the window bounds differ from run to run, the counts per bidder do not
    // (unless a run straddles a 10 s boundary: then the check is skipped, see below).
    columns: ['bidder', 'bid_count'],
    build: rowsOf(q12),
    loop: (g, n, out) => {
      const counts = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const e = g.event(i);
        if (e.event_type === BID) counts.set(e.bid!.bidder, (counts.get(e.bid!.bidder) ?? 0) + 1);
      }
      for (const [bidder, bid_count] of counts) out.add({ bidder, bid_count });
    },
  },
];

interface Measured {
  readonly perCore: number;
  readonly checksum: string;
  /** Several processing-time windows (q12 only): then the rows legitimately differ from the loop's. */
  readonly windows: number;
}

async function sluice(q: Query, n: number): Promise<Measured> {
  const env = localEnvironment().setParallelism(1);
  const sum = new Checksum(q.columns);
  const starts = new Set<unknown>();
  const sink: Sink<unknown> = {
    createWriter: () => ({
      write: (row: unknown) => {
        sum.add(row as Row);
        starts.add((row as Row).starttime);
      },
    }),
  };
  q.build(nexmarkEvents(env, ['--events', String(n), '--seed', String(SEED), '--rate', String(RATE)])).sinkTo(sink);
  collectGarbage();
  const before = process.cpuUsage();
  await env.execute(`nexmark-${q.name}`);
  const used = process.cpuUsage(before);
  return { perCore: n / ((used.user + used.system) / 1e6), checksum: sum.value, windows: starts.size };
}

function loop(q: Query, n: number): Measured {
  const g = new NexmarkGenerator({ seed: SEED, eventsPerSecond: RATE });
  const sum = new Checksum(q.columns);
  collectGarbage();
  const before = process.cpuUsage();
  q.loop(g, n, sum);
  const used = process.cpuUsage(before);
  return { perCore: n / ((used.user + used.system) / 1e6), checksum: sum.value, windows: 1 };
}

/** CPU seconds of `sluice run --taskmanagers 2` (JobManager, TaskManagers and the CLI: bash's `times` of its children). */
function clusterCpuSeconds(q: Query, n: number): number {
  const bin = join(here, '..', 'runtime', 'cli', 'bin.js');
  const job = join(here, '..', 'examples', 'nexmark', `${q.name}.ts`);
  const args = ['--events', String(n), '--seed', String(SEED), '--rate', String(RATE), '--sink', 'blackhole'];
  const script = `"${process.execPath}" "${bin}" run --taskmanagers 2 --parallelism 2 "${job}" -- ${args.join(' ')} >/dev/null 2>"$ERR" || exit $?; times`;
  const err = join(here, '..', '.cache', `nexmark-bench-${q.name}.log`);
  // A TaskManager firing every window at the final watermark runs for seconds without a turn of its
  // event loop (no heartbeat): a longer heartbeat timeout than the default 5 s keeps the JobManager
  // from declaring it lost on this shared machine.
  const env = { ...process.env, ERR: err, SLUICE_HEARTBEAT__TIMEOUT: '120s' };
  const r = spawnSync('bash', ['-c', `mkdir -p "$(dirname "$ERR")"; ${script}`], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${q.name} on 2 TaskManagers failed (exit ${r.status}); its log: ${err}`);
  // `times` prints the shell's own user/sys, then its children's: "0m1.234s 0m0.567s".
  const children = r.stdout.trim().split('\n').at(-1)!.split(/\s+/);
  const seconds = (t: string) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    if (!m) throw new Error(`cannot read bash times "${r.stdout}"`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  return seconds(children[0]!) + seconds(children[1]!);
}

const ROUNDS = 2;

/** One query in this process: its lines against Flink and against the hand-written loop. */
async function measureQuery(q: Query, n: number): Promise<BenchResult[]> {
  // Warm up both contenders (JIT), then alternate which goes first and keep the best round of each.
  await sluice(q, Math.min(n, 200_000));
  loop(q, Math.min(n, 200_000));
  let best: Measured | undefined;
  let bestLoop: Measured | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const first = round % 2 === 0 ? loop(q, n) : await sluice(q, n);
    const second = round % 2 === 0 ? await sluice(q, n) : loop(q, n);
    const [l, s] = round % 2 === 0 ? [first, second] : [second, first];
    if (s.windows === 1 && s.checksum !== l.checksum) throw new Error(`${q.name}: the engine's result (${s.checksum}) differs from the loop's (${l.checksum})`);
    if (!best || s.perCore > best.perCore) best = s;
    if (!bestLoop || l.perCore > bestLoop.perCore) bestLoop = l;
  }
  const name = `nexmark ${q.name} (${n.toLocaleString('en-US')} events, parallelism 1, one process)`;
  return [
    { name: `${name} vs Flink 1.13 per core`, unit: 'events/s/core', value: best!.perCore, baseline: q.flinkPerCore, ratio: best!.perCore / q.flinkPerCore },
    { name: `${name} vs hand-written loop`, unit: 'events/s/core', value: best!.perCore, baseline: bestLoop!.perCore, ratio: best!.perCore / bestLoop!.perCore },
  ];
}

const eventsFor = (q: Query) => (Number(process.env.NEXMARK_EVENTS) > 0 ? Number(process.env.NEXMARK_EVENTS) : q.events);

/**
 * Every query in a fresh process of its own (as nexmark-flink runs each query on a fresh cluster):
 * the JIT's feedback and the heap one query leaves behind would otherwise slow the next.
 */
export async function run(): Promise<BenchResult[]> {
  const only = process.env.NEXMARK_QUERIES?.split(',');
  const queries = QUERIES.filter((q) => !only || only.includes(q.name));
  const results: BenchResult[] = [];
  for (const q of queries) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--query', q.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`nexmark ${q.name} failed (exit ${r.status}): ${r.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n')}`);
    results.push(...r.stdout.trim().split('\n').map((l) => JSON.parse(l) as BenchResult));
  }
  if (process.env.NEXMARK_CLUSTER !== '0') {
    for (const q of queries) {
      const n = eventsFor(q) * 2;
      const idle = clusterCpuSeconds(q, 0);
      const busy = clusterCpuSeconds(q, n);
      const perCore = n / Math.max(busy - idle, 1e-3);
      results.push({
        name: `nexmark ${q.name} (${n.toLocaleString('en-US')} events, 2 TaskManagers, parallelism 2; CPU of a 0-event run subtracted) vs Flink 1.13 per core`,
        unit: 'events/s/core',
        value: perCore,
        baseline: q.flinkPerCore,
        ratio: perCore / q.flinkPerCore,
      });
    }
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--query');
  const q = at >= 0 ? QUERIES.find((x) => x.name === process.argv[at + 1]) : undefined;
  if (at >= 0 && q === undefined) throw new Error(`unknown query ${process.argv[at + 1]}`);
  for (const r of q ? await measureQuery(q, eventsFor(q)) : await run()) console.log(JSON.stringify(r));
}
