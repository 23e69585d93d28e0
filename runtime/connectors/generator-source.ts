import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from './source-reader.ts';
import type { Boundedness, Source } from './source.ts';
import type { SplitEnumerator } from './split-enumerator.ts';
import type { SplitEnumeratorContext } from './split-enumerator-context.ts';
import { StaticSplitEnumerator } from './static-split-enumerator.ts';
import { STRIDE_SPLIT_SERIALIZER, STRIDE_SPLITS_SERIALIZER, strideSplits, type StrideSplit } from './stride-split.ts';

export interface GeneratorSourceOptions<T> {
  /** Value of sequence number n (0, 1, 2, ...); deterministic, so a replay gives the same records. */
  readonly generate: (n: number) => T;
  /** Number of records; omitted: unbounded. */
  readonly count?: number;
  /** Event timestamp of sequence number n; omitted: records carry no timestamp. */
  readonly timestamp?: (n: number) => number;
  /** Upper bound for the whole source, shared by its subtasks by the part of the sequence each holds. */
  readonly recordsPerSecond?: number;
}

/**
 * A deterministic sequence, bounded or unbounded, optionally rate-limited. Its splits are strides of
 * the sequence, one per subtask of the first run (split i: numbers i, i+p, i+2p, ...), assigned by a
 * {@link StaticSplitEnumerator}; a split's position is its next number, so a restore, also at
 * another parallelism, continues exactly.
 */
export class GeneratorSource<T> implements Source<T, StrideSplit, StrideSplit[]> {
  readonly boundedness: Boundedness;
  readonly splitSerializer = STRIDE_SPLIT_SERIALIZER;
  readonly enumeratorCheckpointSerializer = STRIDE_SPLITS_SERIALIZER;

  constructor(private readonly options: GeneratorSourceOptions<T>) {
    if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 0)) {
      throw new RangeError(`generator count must be a non-negative integer, got ${options.count}`);
    }
    if (options.recordsPerSecond !== undefined && !(options.recordsPerSecond > 0)) {
      throw new RangeError(`generator recordsPerSecond must be > 0, got ${options.recordsPerSecond}`);
    }
    this.boundedness = options.count === undefined ? 'continuous' : 'bounded';
  }

  createEnumerator(context: SplitEnumeratorContext<StrideSplit>): SplitEnumerator<StrideSplit, StrideSplit[]> {
    return this.restoreEnumerator(context, strideSplits(context.currentParallelism()));
  }

  restoreEnumerator(context: SplitEnumeratorContext<StrideSplit>, pending: StrideSplit[]): SplitEnumerator<StrideSplit, StrideSplit[]> {
    return new StaticSplitEnumerator(context, pending, (s, parallelism) => s.index % parallelism);
  }

  createReader(_context: SourceReaderContext): SourceReader<T, StrideSplit> {
    return new GeneratorReader(this.options);
  }
}

const NEVER: Promise<void> = new Promise(() => {});

class GeneratorReader<T> implements SourceReader<T, StrideSplit> {
  private readonly count: number;
  private readonly splits: StrideSplit[] = [];
  private noMoreSplits = false;
  private readonly startedAt = Date.now();
  private emitted = 0;
  /** Records per second of this reader: its splits' share of the source's rate. */
  private rate: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;

  constructor(private readonly options: GeneratorSourceOptions<T>) {
    this.count = options.count ?? Number.POSITIVE_INFINITY;
  }

  start(): void {}

  addSplits(splits: readonly StrideSplit[]): void {
    for (const s of splits) this.splits.push({ ...s });
    // A split of stride s holds 1/s of the sequence, so the subtasks' rates add up to the whole, also after rescaling.
    const share = this.splits.reduce((sum, s) => sum + 1 / s.stride, 0);
    this.rate = this.options.recordsPerSecond === undefined ? undefined : this.options.recordsPerSecond * share;
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
  }

  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus {
    let budget = maxRecords;
    if (this.rate !== undefined) {
      budget = Math.min(budget, Math.floor(((Date.now() - this.startedAt) * this.rate) / 1000) - this.emitted);
      if (budget <= 0) return this.status('nothing-available');
    }
    const { generate, timestamp } = this.options;
    let n = 0;
    for (const s of this.splits) {
      while (s.next < this.count && n < budget) {
        if (timestamp) output.collect(generate(s.next), timestamp(s.next));
        else output.collect(generate(s.next));
        s.next += s.stride;
        n++;
      }
    }
    this.emitted += n;
    return this.status('more-available');
  }

  /** With a rate limit: resolves when the next record is due (one timer, however often asked). */
  available(): Promise<void> {
    if (!this.hasMore()) return NEVER;
    if (this.rate === undefined) return Promise.resolve();
    if (this.pending) return this.pending;
    const due = this.startedAt + ((this.emitted + 1) * 1000) / this.rate;
    this.pending = new Promise((resolve) => {
      this.timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, Math.max(0, due - Date.now()));
    });
    return this.pending;
  }

  snapshotState(_checkpointId: number): StrideSplit[] {
    return this.splits.filter((s) => s.next < this.count).map((s) => ({ ...s }));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private status(whileMore: InputStatus): InputStatus {
    if (this.hasMore()) return whileMore;
    return this.noMoreSplits ? 'end-of-input' : 'nothing-available';
  }

  private hasMore(): boolean {
    return this.splits.some((s) => s.next < this.count);
  }
}
