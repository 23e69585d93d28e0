import type { Sink, SinkWriter } from './sink.ts';

/**
 * Collects every record in memory, for tests and small local jobs. All subtasks append to the
 * same arrays (they share the process), so order across subtasks is not defined.
 */
export class CollectSink<T> implements Sink<T> {
  readonly values: T[] = [];
  readonly timestamps: number[] = [];

  createWriter(): SinkWriter<T> {
    const values = this.values;
    const timestamps = this.timestamps;
    return {
      write(value: T, timestamp: number) {
        values.push(value);
        timestamps.push(timestamp);
      },
    };
  }
}
