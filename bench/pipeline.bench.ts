// Chained map -> filter -> keyed sum over 10M records in one process, against the same work as
// (a) a hand-written loop and (b) an RxJS pipeline, all measured in this run. Two record shapes:
// objects with string keys (what jobs carry) and plain numbers (the engine's overhead laid bare).
// Throughput is records per CPU second of this process: the machine is shared, and CPU time is
// what a busy neighbour does not distort; the rounds also alternate between the contenders.
import { Observable } from 'rxjs';
import { filter as rxFilter, map as rxMap } from 'rxjs/operators';
import { pathToFileURL } from 'node:url';
import { StreamExecutionEnvironment } from '../runtime/api/stream-execution-environment.ts';
import { WatermarkStrategy } from '../runtime/functions/watermark-strategy.ts';
import { GeneratorSource } from '../runtime/connectors/generator-source.ts';
import type { BenchResult } from './bench-result.ts';
import { localEnvironment } from '../runtime/cluster/local-environment.ts';

const RECORDS = 10_000_000;
const ROUNDS = 3;
const MOD = 1_000_000_007;

/** One workload: how records are made, mapped, filtered, keyed and summed. */
interface Workload<T> {
  readonly name: string;
  readonly generate: (i: number) => T;
  readonly map: (r: T) => T;
  readonly filter: (r: T) => boolean;
  readonly key: (r: T) => string | number;
  /** The running aggregate after adding `r` to `acc` (what keyed sum emits). */
  readonly add: (acc: T, r: T) => T;
  readonly valueOf: (r: T) => number;
  /** The same keyed sum in the DataStream API. */
  readonly sum: (s: ReturnType<ReturnType<StreamExecutionEnvironment['fromSource']>['keyBy']>) => unknown;
  /** The reference: the same work written by hand for this record type; a checksum of every emitted sum. */
  readonly loop: (n: number) => number;
}

type Rec = { key: string; value: number };
const KEYS = Array.from({ length: 1000 }, (_, i) => `key-${i}`);

const records: Workload<Rec> = {
  name: 'objects, string keys',
  generate: (i) => ({ key: KEYS[i % 1000]!, value: i }),
  map: (r) => ({ key: r.key, value: r.value * 3 + 1 }),
  filter: (r) => r.value % 4 !== 0,
  key: (r) => r.key,
  add: (acc, r) => ({ ...acc, value: acc.value + r.value }),
  valueOf: (r) => r.value,
  sum: (s) => (s as unknown as { sum(f: string): unknown }).sum('value'),
  loop: (n) => {
    const sums = new Map<string, Rec>();
    let checksum = 0;
    for (let i = 0; i < n; i++) {
      const value = i * 3 + 1;
      if (value % 4 === 0) continue;
      const key = KEYS[i % 1000]!;
      const acc = sums.get(key);
      const next = acc === undefined ? { key, value } : { ...acc, value: acc.value + value };
      sums.set(key, next);
      checksum = (checksum + next.value) % MOD;
    }
    return checksum;
  },
};

const numbers: Workload<number> = {
  name: 'numbers',
  generate: (i) => i,
  map: (x) => x * 3 + 1,
  filter: (x) => x % 4 !== 0,
  key: (x) => x % 1000,
  add: (acc, x) => acc + x,
  valueOf: (x) => x,
  sum: (s) => (s as unknown as { sum(): unknown }).sum(),
  loop: (n) => {
    const sums = new Map<number, number>();
    let checksum = 0;
    for (let i = 0; i < n; i++) {
      const v = i * 3 + 1;
      if (v % 4 === 0) continue;
      const k = v % 1000;
      const s = (sums.get(k) ?? 0) + v;
      sums.set(k, s);
      checksum = (checksum + s) % MOD;
    }
    return checksum;
  },
};

function rx<T>(w: Workload<T>, n: number): Promise<number> {
  const sums = new Map<string | number, T>();
  let checksum = 0;
  return new Promise((resolve) => {
    new Observable<T>((sub) => {
      for (let i = 0; i < n; i++) sub.next(w.generate(i));
      sub.complete();
    })
      .pipe(
        rxMap(w.map),
        rxFilter(w.filter),
        rxMap((r) => {
          const k = w.key(r);
          const acc = sums.get(k);
          const next = acc === undefined ? r : w.add(acc, r);
          sums.set(k, next);
          return next;
        }),
      )
      .subscribe({ next: (s) => (checksum = (checksum + w.valueOf(s)) % MOD), complete: () => resolve(checksum) });
  });
}

async function sluice<T>(w: Workload<T>, n: number): Promise<number> {
  const env = localEnvironment();
  let checksum = 0;
  const keyed = env
    .fromSource(new GeneratorSource({ count: n, generate: w.generate }), WatermarkStrategy.noWatermarks(), 'Records')
    .map(w.map)
    .filter(w.filter)
    .keyBy(w.key);
  (w.sum(keyed as never) as ReturnType<typeof keyed.reduce>).sinkTo({
    createWriter: () => ({ write: (s: T) => void (checksum = (checksum + w.valueOf(s)) % MOD) }),
  });
  await env.execute('pipeline-bench');
  return checksum;
}

/** Records per CPU second of one run, checking it computed what the loop computed. */
async function rate(fn: () => number | Promise<number>, n: number, expected: number): Promise<number> {
  const before = process.cpuUsage();
  const checksum = await fn();
  const used = process.cpuUsage(before);
  if (checksum !== expected) throw new Error(`checksum ${checksum} differs from the loop's ${expected}`);
  return n / ((used.user + used.system) / 1e6);
}

async function measure<T>(w: Workload<T>): Promise<BenchResult[]> {
  const warm = 1_000_000;
  const warmExpected = w.loop(warm);
  await rate(() => rx(w, warm), warm, warmExpected);
  await rate(() => sluice(w, warm), warm, warmExpected);
  const expected = w.loop(RECORDS);
  const best = { loop: 0, rx: 0, sluice: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    best.loop = Math.max(best.loop, await rate(() => w.loop(RECORDS), RECORDS, expected));
    best.rx = Math.max(best.rx, await rate(() => rx(w, RECORDS), RECORDS, expected));
    best.sluice = Math.max(best.sluice, await rate(() => sluice(w, RECORDS), RECORDS, expected));
  }
  const name = `pipeline map>filter>keyed sum (${w.name})`;
  return [
    { name: `${name} vs hand-written loop`, unit: 'records/cpu-s', value: best.sluice, baseline: best.loop, ratio: best.sluice / best.loop },
    { name: `${name} vs RxJS`, unit: 'records/cpu-s', value: best.sluice, baseline: best.rx, ratio: best.sluice / best.rx },
  ];
}

export async function run(): Promise<BenchResult[]> {
  return [...(await measure(records)), ...(await measure(numbers))];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
