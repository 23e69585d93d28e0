import { describe, expect, it } from '@jest/globals';
import { WatermarkStrategy } from '../../../../runtime/api/index.ts';
import { GeneratorSource } from '../../../../runtime/connectors/generator-source.ts';
import type { Sink, SinkWriter } from '../../../../runtime/connectors/sink.ts';
import { localEnvironment } from '../../../../runtime/cluster/local-environment.ts';

/** A sink writer with a bounded buffer the test drains: unavailable from its `capacity`-th record until released. */
class GatedWriter implements SinkWriter<number> {
  readonly received: number[] = [];
  private open = true;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  write(value: number): void {
    this.received.push(value);
    if (this.received.length === this.capacity) this.open = false;
  }

  isAvailable(): boolean {
    return this.open;
  }

  availability(): Promise<void> {
    return this.open ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    this.open = true;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('a sink that is not available backpressures its task', () => {
  it('the task takes no more input while its sink has no room, and goes on once it has', async () => {
    const writer = new GatedWriter(300);
    const sink: Sink<number> = { createWriter: () => writer };
    const env = localEnvironment().setParallelism(1);
    env.fromSource(new GeneratorSource({ count: 10_000, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'numbers').sinkTo(sink);
    const done = env.execute('backpressured');
    await turns(50);
    // The source's burst (1,000 records) that filled the sink ends; then the task waits: no record for many cycles.
    expect(writer.received.length).toBe(1000);
    await turns(200);
    expect(writer.received.length).toBe(1000);
    writer.release();
    await done;
    expect(writer.received).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
  });
});
