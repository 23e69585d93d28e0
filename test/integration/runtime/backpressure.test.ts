import { describe, expect, it } from '@jest/globals';
import { CollectSink, StreamExecutionEnvironment, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { LocalExecutor } from '../../../runtime/cluster/local-executor.ts';
import { GeneratorSource } from '../../../runtime/connectors/generator-source.ts';

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
