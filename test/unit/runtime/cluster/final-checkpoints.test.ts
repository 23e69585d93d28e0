import { describe, expect, it } from '@jest/globals';
import { FinalCheckpoints } from '../../../../runtime/cluster/final-checkpoints.ts';

describe('FinalCheckpoints', () => {
  it('a checkpoint triggered once every subtask ended is final, once', () => {
    const finals = new FinalCheckpoints();
    finals.triggered(1, false, false);
    finals.triggered(2, false, true);
    expect([finals.completed(1), finals.completed(2), finals.completed(2)]).toEqual([false, true, false]);
  });

  it('a stop-with-savepoint is final even while subtasks run', () => {
    const finals = new FinalCheckpoints();
    finals.triggered(3, true, false);
    expect(finals.completed(3)).toBe(true);
  });

  it('an aborted final checkpoint is forgotten, and so is everything after clear()', () => {
    const finals = new FinalCheckpoints();
    finals.triggered(4, true, false);
    finals.aborted(4);
    finals.triggered(5, false, true);
    finals.clear();
    expect([finals.completed(4), finals.completed(5)]).toEqual([false, false]);
  });
});
