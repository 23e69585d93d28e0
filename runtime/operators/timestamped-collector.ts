import type { Collector } from '../functions/functions.ts';
import type { Output } from './output.ts';

/** A Collector reused for every record: emits with the timestamp of the record being processed. */
export class TimestampedCollector<T> implements Collector<T> {
  timestamp = 0;
  constructor(private readonly output: Output) {}
  collect(value: T): void {
    this.output.collect(value, this.timestamp);
  }
}
