import type { DataStream } from '../api/data-stream.ts';
import { CollectSink } from '../connectors/collect-sink.ts';

/**
 * Runs the job `stream` belongs to until its sources end and returns what reached `stream`, in
 * the order it arrived (Flink's `executeAndCollect`). With several subtasks feeding it, the order
 * between subtasks is not defined: sort, or compare as sets. The environment must have an
 * executor: `localEnvironment()`.
 */
export async function executeAndCollect<T>(stream: DataStream<T>, jobName = 'test job'): Promise<T[]> {
  return (await executeAndCollectRecords(stream, jobName)).map((r) => r.value);
}

/** As `executeAndCollect`, with each value's event timestamp (`-Infinity` for records without one). */
export async function executeAndCollectRecords<T>(stream: DataStream<T>, jobName = 'test job'): Promise<{ value: T; timestamp: number }[]> {
  const sink = new CollectSink<T>();
  stream.sinkTo(sink).name('Collect');
  await stream.env.execute(jobName);
  return sink.values.map((value, i) => ({ value, timestamp: sink.timestamps[i]! }));
}
