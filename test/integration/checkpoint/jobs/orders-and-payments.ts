import { GeneratorSource, WatermarkStrategy, type DataStream, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';

/** A record of either side: sequence number `n` of its source, its user and event time. */
export interface Event {
  readonly n: number;
  readonly user: number;
  readonly at: number;
}

export const USERS = 7;
/** Orders at 10 ms steps, payments 5 ms after; four consecutive records share a user. */
export const order = (n: number): Event => ({ n, user: Math.floor(n / 4) % USERS, at: n * 10 });
export const payment = (n: number): Event => ({ n, user: Math.floor(n / 4) % USERS, at: n * 10 + 5 });

/**
 * `total` orders or payments from a rate-limited replayable generator, in event time (monotonous),
 * with the source's uid its lower-cased name, so a run restores another at any parallelism.
 */
export function eventSource(env: StreamExecutionEnvironment, name: string, event: (n: number) => Event, total: number, recordsPerSecond: number): DataStream<Event> {
  return env
    .fromSource(
      new GeneratorSource({ count: total, recordsPerSecond, generate: event }),
      WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.at),
      name,
    )
    .uid(name.toLowerCase());
}
