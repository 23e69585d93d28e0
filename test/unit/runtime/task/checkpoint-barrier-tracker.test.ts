import { describe, expect, it } from '@jest/globals';
import { CheckpointBarrierTracker } from '../../../../runtime/task/checkpoint-barrier-tracker.ts';

describe('CheckpointBarrierTracker', () => {
  it('completes a checkpoint once its barrier came on every channel that has not ended', () => {
    const done: string[] = [];
    const t = new CheckpointBarrierTracker(3, (id, ts, sp) => done.push(`${id}@${ts}${sp ? ' savepoint' : ''}`));
    t.onBarrier(0, 1, 100, false);
    t.onBarrier(1, 1, 100, false);
    expect(done).toEqual([]);
    t.onEndOfPartition(2);
    expect(done).toEqual(['1@100']);
    t.onBarrier(0, 2, 200, true);
    t.onBarrier(0, 1, 100, false);
    expect(done).toEqual(['1@100']);
    t.onBarrier(1, 2, 200, true);
    expect(done).toEqual(['1@100', '2@200 savepoint']);
  });

  it('subsumes older checkpoints when a newer one completes first', () => {
    const done: number[] = [];
    const t = new CheckpointBarrierTracker(2, (id) => done.push(id));
    t.onBarrier(0, 1, 0, false);
    t.onBarrier(0, 2, 0, false);
    t.onBarrier(1, 2, 0, false);
    t.onBarrier(1, 1, 0, false);
    expect(done).toEqual([2]);
  });
});
