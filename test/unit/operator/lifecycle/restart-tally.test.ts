import { describe, it, expect } from '@jest/globals';
import { tallyRestarts, totalRestarts } from '../../../../operator/lifecycle/restart-tally.ts';

const first = new Date('2026-11-25T12:00:00.125Z');
const second = new Date('2026-11-25T12:03:10.500Z');

describe('restart tally across JobManagers', () => {
  it('sums the restarts of every JobManager of the run: 4 before the JobManager was replaced, 1 after', () => {
    let tally = tallyRestarts(undefined, 1, { restarts: 0, startTime: first });
    for (const restarts of [1, 2, 4]) tally = tallyRestarts(tally, 1, { restarts, startTime: first });
    expect(tally).toEqual({ run: 1, jobManagerStartTime: '2026-11-25T12:00:00.125Z', jobManagerRestarts: 4, earlier: 0 });
    // The new JobManager counts from 0; its start time says it is another one.
    tally = tallyRestarts(tally, 1, { restarts: 0, startTime: second });
    expect(totalRestarts(tally)).toBe(4);
    tally = tallyRestarts(tally, 1, { restarts: 1, startTime: second });
    expect(tally).toEqual({ run: 1, jobManagerStartTime: '2026-11-25T12:03:10.500Z', jobManagerRestarts: 1, earlier: 4 });
    expect(totalRestarts(tally)).toBe(5);
  });

  it('tells a new JobManager by its start time even when it already restarted as often as the last one had', () => {
    const tally = tallyRestarts({ run: 1, jobManagerStartTime: first.toISOString(), jobManagerRestarts: 2, earlier: 3 }, 1, { restarts: 2, startTime: second });
    expect(totalRestarts(tally)).toBe(7);
  });

  it('starts again from the JobManager\'s count on a new run', () => {
    const tally = tallyRestarts({ run: 1, jobManagerStartTime: first.toISOString(), jobManagerRestarts: 2, earlier: 3 }, 2, { restarts: 0, startTime: second });
    expect(tally).toEqual({ run: 2, jobManagerStartTime: second.toISOString(), jobManagerRestarts: 0, earlier: 0 });
  });

  it('without a start time, takes a count lower than the last for a new JobManager', () => {
    let tally = tallyRestarts(undefined, 1, { restarts: 3 });
    tally = tallyRestarts(tally, 1, { restarts: 3 });
    expect(totalRestarts(tally)).toBe(3);
    tally = tallyRestarts(tally, 1, { restarts: 1 });
    expect(tally).toEqual({ run: 1, jobManagerRestarts: 1, earlier: 3 });
  });
});
