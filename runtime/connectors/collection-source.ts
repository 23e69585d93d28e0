import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from './source.ts';
import { initialStrideSplits, restoreStrideSplits, type StrideSplit } from './split-assignment.ts';

/** A bounded source over an in-memory collection (fromElements/fromCollection). */
export class CollectionSource<T> implements Source<T> {
  readonly boundedness = 'bounded';
  constructor(private readonly values: readonly T[]) {}

  createReader(ctx: SourceReaderContext, restored: readonly unknown[] | undefined): SourceReader<T> {
    const splits = restored ? restoreStrideSplits(restored) : initialStrideSplits(ctx.subtaskIndex, ctx.parallelism);
    return new CollectionReader(this.values, splits);
  }
}

class CollectionReader<T> implements SourceReader<T> {
  constructor(
    private readonly values: readonly T[],
    private readonly splits: StrideSplit[],
  ) {}

  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus {
    const values = this.values;
    let emitted = 0;
    for (const s of this.splits) {
      while (s.next < values.length) {
        if (emitted === maxRecords) return 'more-available';
        output.collect(values[s.next]!);
        s.next += s.stride;
        emitted++;
      }
    }
    return 'end-of-input';
  }

  available(): Promise<void> {
    return Promise.resolve();
  }

  snapshotState(): unknown[] {
    return this.splits.map((s) => ({ ...s }));
  }

  close(): void {}
}
