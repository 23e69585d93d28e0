import { describe, expect, it } from '@jest/globals';
import { AsyncDataStream, CollectSink } from '../../../../runtime/api/index.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

/** A lookup service answering after a delay that depends on the key, counting calls in flight. */
function service() {
  const s = {
    inFlight: 0,
    maxInFlight: 0,
    lookup: (n: number): Promise<string[]> => {
      s.inFlight++;
      s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
      return new Promise((resolve) =>
        setTimeout(() => {
          s.inFlight--;
          resolve([`${n}:${n * n}`]);
        }, (n * 7) % 5),
      );
    },
  };
  return s;
}

describe('AsyncDataStream', () => {
  const input = Array.from({ length: 200 }, (_, i) => i);

  it('orderedWait: every answer, in input order, at most `capacity` calls in flight', async () => {
    const env = localEnvironment();
    const s = service();
    const out = new CollectSink<string>();
    AsyncDataStream.orderedWait(env.fromCollection(input), s.lookup, 1000, 8).sinkTo(out);
    await env.execute('ordered');
    expect(out.values).toEqual(input.map((n) => `${n}:${n * n}`));
    expect(s.maxInFlight).toBeLessThanOrEqual(8);
    expect(s.maxInFlight).toBeGreaterThan(1);
  });

  it('unorderedWait: every answer once', async () => {
    const env = localEnvironment().setParallelism(2);
    const s = service();
    const out = new CollectSink<string>();
    AsyncDataStream.unorderedWait(env.fromCollection(input).rebalance(), s.lookup, 1000, 4).sinkTo(out);
    await env.execute('unordered');
    expect([...out.values].sort()).toEqual(input.map((n) => `${n}:${n * n}`).sort());
    expect(s.maxInFlight).toBeLessThanOrEqual(8);
  });

  it('refuses a capacity or timeout that cannot work when the pipeline is built', () => {
    const env = localEnvironment();
    expect(() => AsyncDataStream.orderedWait(env.fromElements(1), service().lookup, 1000, 0)).toThrow('async I/O capacity must be a positive integer, got 0');
    expect(() => AsyncDataStream.unorderedWait(env.fromElements(1), service().lookup, 0)).toThrow('async I/O timeout must be > 0 ms, got 0');
  });
});
