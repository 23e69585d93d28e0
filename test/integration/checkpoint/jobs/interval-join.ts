import type { StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { eventSource, order, payment, type Event } from './orders-and-payments.ts';

export const BOUNDS = [-20, 20] as const;

/** Every `[user, order, payment]` line an uninterrupted run commits: the interval join by definition. */
export function expectedJoin(total: number): string[] {
  const lines: string[] = [];
  for (let o = 0; o < total; o++) {
    for (let p = Math.max(0, o - 3); p < Math.min(total, o + 3); p++) {
      const l = order(o);
      const r = payment(p);
      if (l.user === r.user && r.at >= l.at + BOUNDS[0] && r.at <= l.at + BOUNDS[1]) lines.push(JSON.stringify([l.user, o, p]));
    }
  }
  return lines.sort();
}

/**
 * Orders interval-joined with payments of the same user within ±20 ms of event time, from two
 * rate-limited replayable generators, committed by the exactly-once file sink; stable uids, so a
 * run restores another at any parallelism.
 * Args: output directory, records per side, records per second per side.
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [output, total, rate] = [args[0]!, Number(args[1]), Number(args[2])];
  const side = (name: string, event: (n: number) => Event) => eventSource(env, name, event, total, rate).keyBy((e) => e.user);
  side('Orders', order)
    .intervalJoin(side('Payments', payment))
    .between(BOUNDS[0], BOUNDS[1])
    .process({ processElement: (o: Event, p: Event, _ctx, out) => out.collect([o.user, o.n, p.n]) })
    .uid('join')
    .sinkTo(new ExactlyOnceFileSink<[number, number, number]>(output))
    .uid('committed-pairs');
};
