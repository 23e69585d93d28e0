import type { SourceSplit } from './source.ts';
import type { SplitEnumerator } from './split-enumerator.ts';
import type { SplitEnumeratorContext } from './split-enumerator-context.ts';

/**
 * The enumerator of a source whose splits are all known at start (collections, generators): each
 * split has an owner, `owner(split, parallelism)`, and goes to that reader when it registers, with
 * the signal that no more come, so a reader ends with its splits (one that owns none, after a
 * rescale beyond the splits, ends at once). Its state is the splits not assigned yet: at a
 * checkpoint, those of readers that had not registered; after a failure, those given back.
 */
export class StaticSplitEnumerator<Split extends SourceSplit> implements SplitEnumerator<Split, Split[]> {
  private pending: Split[];

  constructor(
    private readonly context: SplitEnumeratorContext<Split>,
    splits: readonly Split[],
    private readonly owner: (split: Split, parallelism: number) => number,
  ) {
    this.pending = [...splits];
  }

  start(): void {}

  addReader(subtaskId: number): void {
    const parallelism = this.context.currentParallelism();
    const mine = this.pending.filter((s) => this.owner(s, parallelism) === subtaskId);
    if (mine.length > 0) {
      this.pending = this.pending.filter((s) => this.owner(s, parallelism) !== subtaskId);
      this.context.assignSplits(new Map([[subtaskId, mine]]));
    }
    this.context.signalNoMoreSplits(subtaskId);
  }

  /** Everything a reader gets, it got at registration. */
  handleSplitRequest(subtaskId: number): void {
    this.context.signalNoMoreSplits(subtaskId);
  }

  /** Back to the pending splits: the reader gets them again when it registers again. */
  addSplitsBack(splits: readonly Split[], _subtaskId: number): void {
    this.pending.push(...splits);
  }

  snapshotState(_checkpointId: number): Split[] {
    return this.pending.map((s) => ({ ...s }));
  }

  close(): void {}
}
