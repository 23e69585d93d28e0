import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from './source.ts';
import { initialStrideSplits, restoreStrideSplits, type StrideSplit } from './split-assignment.ts';

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
 * A deterministic sequence, bounded or unbounded, optionally rate-limited. Its position (the next
 * sequence number of each split) is operator state, so a restore continues exactly.
 */
export class GeneratorSource<T> implements Source<T> {
  readonly boundedness: 'bounded' | 'continuous';
  constructor(private readonly options: GeneratorSourceOptions<T>) {
    if (options.count !== undefined && !(Number.isInteger(options.count) && options.count >= 0)) {
      throw new RangeError(`generator count must be a non-negative integer, got ${options.count}`);
    }
    if (options.recordsPerSecond !== undefined && !(options.recordsPerSecond > 0)) {
      throw new RangeError(`generator recordsPerSecond must be > 0, got ${options.recordsPerSecond}`);
    }
    this.boundedness = options.count === undefined ? 'continuous' : 'bounded';
  }

  createReader(ctx: SourceReaderContext, restored: readonly unknown[] | undefined): SourceReader<T> {
    const splits = restored ? restoreStrideSplits(restored) : initialStrideSplits(ctx.subtaskIndex, ctx.parallelism);
    // A split of stride s holds 1/s of the sequence, so the subtasks' rates add up to the whole, also after rescaling.
    const share = splits.reduce((sum, s) => sum + 1 / s.stride, 0);
    const rate = this.options.recordsPerSecond === undefined ? undefined : this.options.recordsPerSecond * share;
    return new GeneratorReader(this.options, splits, rate);
  }
}

class GeneratorReader<T> implements SourceReader<T> {
  private readonly count: number;
  private readonly startedAt = Date.now();
  private emitted = 0;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly options: GeneratorSourceOptions<T>,
    private readonly splits: StrideSplit[],
    private readonly rate: number | undefined,
  ) {
    this.count = options.count ?? Number.POSITIVE_INFINITY;
  }

  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus {
    let budget = maxRecords;
    if (this.rate !== undefined) {
      budget = Math.min(budget, Math.floor(((Date.now() - this.startedAt) * this.rate) / 1000) - this.emitted);
      if (budget <= 0) return this.hasMore() ? 'nothing-available' : 'end-of-input';
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
    return this.hasMore() ? 'more-available' : 'end-of-input';
  }

  /** With a rate limit: resolves when the next record is due (one timer, however often asked). */
  available(): Promise<void> {
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

  snapshotState(): unknown[] {
    return this.splits.map((s) => ({ ...s }));
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  private hasMore(): boolean {
    return this.splits.some((s) => s.next < this.count);
  }
}
