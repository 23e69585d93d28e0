import { describe, expect, it } from '@jest/globals';
import { StaticSplitEnumerator } from '../../../../runtime/connectors/static-split-enumerator.ts';
import type { SplitEnumeratorContext } from '../../../../runtime/connectors/split-enumerator-context.ts';
import { SourceCoordinator } from '../../../../runtime/cluster/source-coordinator.ts';
import { STRIDE_SPLIT_SERIALIZER, STRIDE_SPLITS_SERIALIZER, strideSplits, type StrideSplit } from '../../../../runtime/connectors/stride-split.ts';

/** A StaticSplitEnumerator over `splits` in a real SourceCoordinator; what it sends is recorded. */
function enumeratorOf(splits: StrideSplit[], parallelism: number) {
  const sent: Array<[number, string]> = [];
  let enumerator!: StaticSplitEnumerator<StrideSplit>;
  const make = (ctx: SplitEnumeratorContext<StrideSplit>) => (enumerator = new StaticSplitEnumerator(ctx, splits, (s, p) => s.index % p));
  const coordinator = new SourceCoordinator({
    source: {
      boundedness: 'bounded',
      splitSerializer: STRIDE_SPLIT_SERIALIZER,
      enumeratorCheckpointSerializer: STRIDE_SPLITS_SERIALIZER,
      createEnumerator: make,
      restoreEnumerator: make,
      createReader: () => {
        throw new Error('no readers here');
      },
    },
    name: 'Sequence',
    parallelism,
    send: (subtask, event) =>
      void sent.push([subtask, event.kind === 'add-splits' ? event.splits.map((s) => STRIDE_SPLIT_SERIALIZER.deserialize(s.version, s.bytes).splitId).join(',') : event.kind]),
    fail: (e) => {
      throw e;
    },
  });
  const register = (subtask: number) => coordinator.handleReaderEvent(subtask, { kind: 'reader-registered', restored: false });
  return { sent, register, coordinator, enumerator: () => enumerator };
}

describe('StaticSplitEnumerator', () => {
  it('gives each registering reader the splits it owns and says no more come', () => {
    const e = enumeratorOf(strideSplits(5), 2);
    e.register(0);
    e.register(1);
    expect(e.sent).toEqual([
      [0, '0,2,4'],
      [0, 'no-more-splits'],
      [1, '1,3'],
      [1, 'no-more-splits'],
    ]);
    expect(e.enumerator().snapshotState(1)).toEqual([]);
  });

  it('a reader that owns nothing (more readers than splits) is told at once that nothing comes; unassigned splits are its state', () => {
    const e = enumeratorOf(strideSplits(2), 3);
    e.register(0);
    e.register(2);
    expect(e.sent).toEqual([
      [0, '0'],
      [0, 'no-more-splits'],
      [2, 'no-more-splits'],
    ]);
    expect(e.enumerator().snapshotState(1)).toEqual([strideSplits(2)[1]]);
  });

  it('gives splits taken back to their owner when it registers again', () => {
    const e = enumeratorOf(strideSplits(2), 2);
    e.register(0);
    e.register(1);
    e.enumerator().addSplitsBack([{ ...strideSplits(2)[1]!, next: 7 }], 1);
    expect(e.enumerator().snapshotState(2)).toEqual([{ ...strideSplits(2)[1]!, next: 7 }]);
    e.register(1);
    expect(e.sent.slice(4)).toEqual([
      [1, '1'],
      [1, 'no-more-splits'],
    ]);
  });
});
