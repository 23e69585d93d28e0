import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CollectSink, type DataStream } from '../../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../../runtime/cluster/local-environment.ts';
import { BID, NexmarkGenerator, type Bid, type NexmarkEvent } from '../../../../../runtime/connectors/nexmark/index.ts';
import { tempDirs } from '../../../../support/temp-dirs.ts';
import { nexmarkEvents } from '../../../../../examples/nexmark/input.ts';

/** The small dump every query test reads: 5,000 events at 100 events/s of event time (50 s). */
export const EVENTS = 5000;
export const SEED = 42;
export const RATE = 100;

/** Writes the dump (as `npm run nexmark -- gen` does) into a temporary directory; returns its path and events. */
export function writeDump(): { path: string; events: NexmarkEvent[]; bids: Bid[] } {
  const dir = tempDirs('nexmark-')();
  const generator = new NexmarkGenerator({ seed: SEED, eventsPerSecond: RATE });
  const events = Array.from({ length: EVENTS }, (_, n) => generator.event(n));
  const path = join(dir, 'events.jsonl');
  writeFileSync(path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return { path, events, bids: events.filter((e) => e.event_type === BID).map((e) => e.bid!) };
}

/** Runs `query` over the events of `args` (a dump: ['--input', path]) in this process; its rows in emission order. */
export async function runQuery<R>(query: (events: DataStream<NexmarkEvent>) => DataStream<R>, args: string[], parallelism = 1): Promise<R[]> {
  const env = localEnvironment().setParallelism(parallelism);
  const sink = new CollectSink<R>();
  query(nexmarkEvents(env, args)).sinkTo(sink);
  await env.execute('nexmark-test');
  return sink.values;
}

/** Rows as JSON lines in a canonical order (for results whose order across keys is not defined). */
export function sortedLines(rows: readonly unknown[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}
