import type { ReaderOutput, SourceOutput, SourceReader } from '../../runtime/connectors/source-reader.ts';
import type { SourceSplit } from '../../runtime/connectors/source.ts';

/** A ReaderOutput that keeps what a reader emits, with the split it came through ('' for none). */
export class CollectingReaderOutput<T> implements ReaderOutput<T> {
  readonly records: { value: T; timestamp: number | undefined; split: string }[] = [];
  readonly released: string[] = [];
  private readonly outputs = new Map<string, SourceOutput<T>>();

  get values(): T[] {
    return this.records.map((r) => r.value);
  }

  collect(value: T, timestamp?: number): void {
    this.records.push({ value, timestamp, split: '' });
  }

  createOutputForSplit(splitId: string): SourceOutput<T> {
    let out = this.outputs.get(splitId);
    if (out === undefined) this.outputs.set(splitId, (out = { collect: (value, timestamp) => void this.records.push({ value, timestamp, split: splitId }) }));
    return out;
  }

  releaseOutputForSplit(splitId: string): void {
    this.outputs.delete(splitId);
    this.released.push(splitId);
  }
}

/**
 * Polls `reader` `max` records at a time until it returns `until` (or `limit` records came), and
 * returns the values; throws if it stops for another status, so a test never spins.
 */
export function drain<T>(reader: SourceReader<T, SourceSplit>, options: { max?: number; limit?: number; until?: 'end-of-input' | 'nothing-available' } = {}): T[] {
  const { max = 1000, limit = Number.POSITIVE_INFINITY, until = 'end-of-input' } = options;
  const output = new CollectingReaderOutput<T>();
  while (output.records.length < limit) {
    const status = reader.pollNext(output, Math.min(max, limit - output.records.length));
    if (status === until) break;
    if (status !== 'more-available') throw new Error(`reader returned ${status} before ${until}`);
  }
  return output.values;
}
