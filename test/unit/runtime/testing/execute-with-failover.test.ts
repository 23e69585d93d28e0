import { describe, expect, it } from '@jest/globals';
import { ValueStateDescriptor, type KeyedProcessFunction, type ValueState } from '../../../../runtime/api/index.ts';
import { executeWithFailover, localEnvironment } from '../../../../runtime/testing/index.ts';

const N = 20_000;
const KEYS = 10;

/** For each number, [key, how many numbers of its key came so far]: a running count per key. */
function runningCounts(env = localEnvironment(), count: () => KeyedProcessFunction<number, number, [number, number]>) {
  return env
    .fromCollection(Array.from({ length: N }, (_, i) => i))
    .keyBy((n) => n % KEYS)
    .process(count())
    .uid('running-counts');
}

/** Counts in Sluice's keyed state: checkpointed and restored. */
const inKeyedState = (): KeyedProcessFunction<number, number, [number, number]> => {
  let count!: ValueState<number>;
  return {
    open(ctx) {
      count = ctx.getState(new ValueStateDescriptor<number>('count'));
    },
    processElement(n, _ctx, out) {
      const c = (count.value() ?? 0) + 1;
      count.update(c);
      out.collect([n % KEYS, c]);
    },
  };
};

/** Counts in a Map of the function object, opened per subtask: not state Sluice knows of. */
const inAField = (): KeyedProcessFunction<number, number, [number, number]> => ({
  counts: new Map<number, number>(),
  open() {
    this.counts = new Map<number, number>();
  },
  processElement(n, _ctx, out) {
    const c = (this.counts.get(n % KEYS) ?? 0) + 1;
    this.counts.set(n % KEYS, c);
    out.collect([n % KEYS, c]);
  },
} as KeyedProcessFunction<number, number, [number, number]> & { counts: Map<number, number> });

const sorted = (pairs: [number, number][]) => [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
const expected = sorted(Array.from({ length: N }, (_, i): [number, number] => [i % KEYS, Math.floor(i / KEYS) + 1]));

describe('executeWithFailover', () => {
  it('fails the job after a completed checkpoint and restores it: keyed state survives, the output is exactly that of a run without failure', async () => {
    const result = await executeWithFailover(runningCounts(localEnvironment(), inKeyedState), { failAfterRecords: 1_000 });
    expect(result.restoredCheckpointId).toBe(1);
    expect(result.writtenBeforeFailure).toBeGreaterThanOrEqual(1_000);
    // The second attempt started from the checkpoint's positions, after the first 1,000 records at least.
    expect(result.writtenAfterRestore).toBeGreaterThan(0);
    expect(result.writtenAfterRestore).toBeLessThanOrEqual(N - 1_000);
    expect(sorted(result.values)).toEqual(expected);
  });

  it('shows state kept outside Sluice state lost at the failure: counts start again after the restore', async () => {
    const result = await executeWithFailover(runningCounts(localEnvironment(), inAField), { failAfterRecords: 1_000 });
    expect(result.values).toHaveLength(N);
    expect(sorted(result.values)).not.toEqual(expected);
  });

  it('says so when the job ends before the planned failure', async () => {
    await expect(executeWithFailover(localEnvironment().fromElements(1, 2, 3), { failAfterRecords: 10 })).rejects.toThrow(
      'the job ended after 3 records at its sink, before the failure planned after 10: fail it earlier',
    );
  });
});
