import { describe, expect, it } from '@jest/globals';
import { CollectSink, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';
import { OperatorError } from '../../../runtime/operators/operator-error.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';

describe('failures', () => {
  it('fails the job with an error naming the operator whose user function threw', async () => {
    const env = localEnvironment().setParallelism(2);
    env
      .fromSource(new GeneratorSource({ count: 100_000, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers')
      .map((n: number) => {
        if (n === 4321) throw new Error(`boom at ${n}`);
        return n;
      })
      .name('Explode')
      .uid('explode-uid')
      .sinkTo(new CollectSink<number>());
    const error = await env.execute('failing').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperatorError);
    const e = error as OperatorError;
    expect(e.operatorName).toBe('Explode');
    expect(e.operatorUid).toBe('explode-uid');
    expect(e.message).toMatch(/^operator "Explode", uid "explode-uid" \(id [0-9a-f]{32}, subtask [01]\) failed: boom at 4321$/);
    expect((e.cause as Error).message).toBe('boom at 4321');
  });

  it('names the keyed operator when its key selector returns an object', async () => {
    const env = localEnvironment();
    env
      .fromElements({ a: 1 })
      .keyBy((x) => x as unknown as string)
      .sum('a')
      .name('Totals')
      .sinkTo(new CollectSink());
    await expect(env.execute('bad-key')).rejects.toThrow(
      /^operator "Totals" \(id [0-9a-f]{32}, subtask 0\) failed: key must be a string, number, bigint or boolean, got object/,
    );
  });

  it('names the sink and the head of a downstream chain when they throw', async () => {
    const env = localEnvironment();
    env
      .fromElements(1, 2)
      .rebalance()
      .filter(() => true)
      .name('Pass')
      .sinkTo({
        createWriter: () => ({
          write: () => {
            throw new Error('disk full');
          },
        }),
      })
      .name('Broken Sink');
    await expect(env.execute('bad-sink')).rejects.toThrow(/^operator "Broken Sink" \(id [0-9a-f]{32}, subtask 0\) failed: disk full$/);
  });

  it('rejects keyed state and timers on a stream that is not keyed', async () => {
    const env = localEnvironment();
    env
      .fromElements(1)
      .process<number>({
        processElement(_n, ctx) {
          ctx.timerService().registerEventTimeTimer(5);
        },
      })
      .name('Timer User')
      .sinkTo(new CollectSink<number>());
    await expect(env.execute('unkeyed-timer')).rejects.toThrow(
      'timers are only available on a keyed stream (after keyBy) in operator "Timer User"',
    );
  });
});
