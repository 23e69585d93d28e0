import { FileSource, GeneratorSource, WatermarkStrategy, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { ExactlyOnceFileSink } from '../../../../runtime/connectors/exactly-once-file-sink.ts';
import { KEYS } from '../job-fixture.ts';

/**
 * A running count per key over numbers 0..n-1 from a replayable source, committed by the
 * exactly-once file sink; every operator, the source too, at the job's parallelism, so a restore at
 * another parallelism rescales the source's splits. The numbers come from a generator (rate-limited
 * by the source) or from the lines of a file or directory (rate-limited by a throttle chained to the
 * source, which blocks its thread: the file source itself reads as fast as it can).
 * Args: output directory, `generator` | `file`, record count | path, records per second, and for
 * `file` optionally the split size in bytes (several readers then share one file).
 */
export default (env: StreamExecutionEnvironment, args: string[]) => {
  const [output, kind, what, rate, splitSize] = args as [string, string, string, string, string | undefined];
  const recordsPerSecond = Number(rate);
  const numbers =
    kind === 'generator'
      ? env.fromSource(new GeneratorSource({ count: Number(what), recordsPerSecond, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Numbers').uid('numbers')
      : env.fromSource(new FileSource(what, { splitSize: splitSize === undefined ? undefined : Number(splitSize) }), WatermarkStrategy.noWatermarks(), 'Lines').uid('lines').map(throttled(recordsPerSecond)).uid('numbers');
  numbers
    .map((n: number): [number, number] => [n % KEYS, 1])
    .uid('pairs')
    .keyBy(([k]) => k)
    .sum(1)
    .uid('counts')
    .sinkTo(new ExactlyOnceFileSink<[number, number]>(output))
    .uid('committed-counts');
};

/** Parses a line as a number, at most `recordsPerSecond` per subtask: sleeps (Atomics.wait) when ahead. */
function throttled(recordsPerSecond: number) {
  return {
    started: 0,
    emitted: 0,
    clock: new Int32Array(new SharedArrayBuffer(4)),
    open() {
      this.started = Date.now();
      this.emitted = 0;
    },
    map(line: string): number {
      if (++this.emitted % 16 === 0) {
        const ahead = (this.emitted * 1000) / recordsPerSecond - (Date.now() - this.started);
        if (ahead >= 1) Atomics.wait(this.clock, 0, 0, ahead);
      }
      return Number(line);
    },
  };
}
