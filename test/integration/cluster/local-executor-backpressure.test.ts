import { describe, expect, it } from '@jest/globals';
import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { LocalExecutor } from '../../../runtime/cluster/local-executor.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';

describe('backpressure in one process', () => {
  it('keeps a fast source within a bounded distance of a slow consumer', async () => {
    const batchSize = 64;
    const capacity = 2;
    const burst = 500;
    const env = new StreamExecutionEnvironment({
      executor: new LocalExecutor({ channel: { batchSize, capacity }, sourceBurst: burst }),
    });
    let produced = 0;
    let consumed = 0;
    let maxGap = 0;
    const sink = new CollectSink<number>();
    const n = 100_000;
    env
      .fromSource(new GeneratorSource({ count: n, generate: (i) => i }), WatermarkStrategy.noWatermarks(), 'Fast')
      .map((i: number) => {
        produced++;
        return i;
      })
      .rebalance()
      .map((i) => {
        consumed++;
        maxGap = Math.max(maxGap, produced - consumed);
        // Slow consumer: some CPU work per record.
        let x = i;
        for (let k = 0; k < 200; k++) x = (x * 31 + k) % 1000003;
        return x >= 0 ? i : -i;
      })
      .sinkTo(sink);
    await env.execute('backpressure');
    expect(sink.values.length).toBe(n);
    expect(sink.values.reduce((a, b) => a + b, 0)).toBe((n * (n - 1)) / 2);
    // In flight at most: the channel's queued batches, the batch being filled, one source burst, the batch being processed.
    expect(maxGap).toBeLessThanOrEqual(capacity * batchSize + batchSize + burst + batchSize);
  });
});

describe('buffer timeout', () => {
  it('delivers a record on a rarely used edge of a busy task without waiting for a full batch', async () => {
    const { OutputTag } = await import('../../../runtime/functions/output-tag.ts');
    const rare = new OutputTag<string>('rare');
    const env = localEnvironment();
    let produced = 0;
    const seen: { value: string; producedThen: number }[] = [];
    const main = env
      .fromSource(new GeneratorSource({ generate: (i) => i }), WatermarkStrategy.noWatermarks(), 'Endless')
      .process<number>({
        processElement(i, ctx) {
          produced++;
          if (i === 5_000) ctx.output(rare, `rare ${i}`);
        },
      });
    main.getSideOutput(rare).rebalance().sinkTo({ createWriter: () => ({ write: (value: string) => void seen.push({ value, producedThen: produced }) }) }).setParallelism(2);
    const job = new LocalExecutor().start(env.getJobGraph('busy'));
    const ended = job.result.catch(() => undefined);
    const deadline = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    job.cancel();
    await ended;
    expect(seen.map((s) => s.value)).toEqual(['rare 5000']);
    // The source never stopped (it is endless), so only the buffer timeout can have sent the record.
    expect(seen[0]!.producedThen).toBeGreaterThan(5_000);
  });
});
