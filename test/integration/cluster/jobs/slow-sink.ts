import { keyGroupFor, subtaskForKeyGroup } from '../../../../runtime/core/key-group.ts';
import { GeneratorSource, WatermarkStrategy, type Sink, type StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';

/** A sink that sleeps 1 ms every 25 records (blocking the thread, not spinning): at most ~25,000 records/s per subtask. */
class SlowSink implements Sink<number> {
  createWriter() {
    const clock = new Int32Array(new SharedArrayBuffer(4));
    let n = 0;
    return {
      write() {
        if (++n % 25 === 0) Atomics.wait(clock, 0, 0, 1);
      },
    };
  }
}

/** Keys that all belong to the last of `parallelism` sink subtasks (with slot sharing: on another TaskManager than the source). */
function keysOfLastSubtask(parallelism: number, maxParallelism: number): number[] {
  const keys: number[] = [];
  for (let k = 0; keys.length < 8; k++) if (subtaskForKeyGroup(maxParallelism, parallelism, keyGroupFor(k, maxParallelism)) === parallelism - 1) keys.push(k);
  return keys;
}

/**
 * An effectively endless, unthrottled source (parallelism 1) keyed into a deliberately slow sink,
 * all of whose keys go to its last subtask: the sink blocks another process's thread, never the source's.
 */
export default (env: StreamExecutionEnvironment) => {
  const keys = keysOfLastSubtask(2, 128);
  env
    .setParallelism(2)
    .setMaxParallelism(128)
    .fromSource(new GeneratorSource({ count: 1_000_000_000, generate: (n) => keys[n % keys.length]! }), WatermarkStrategy.noWatermarks<number>(), 'Numbers')
    .setParallelism(1)
    .keyBy((n) => n)
    .sinkTo(new SlowSink())
    .name('Slow sink');
};
