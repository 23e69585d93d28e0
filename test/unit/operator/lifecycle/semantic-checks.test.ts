import { describe, it, expect } from '@jest/globals';
import { specProblems } from '../../../../operator/lifecycle/semantic-checks.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

describe('semantic checks: slots', () => {
  it('never lack slots when TaskManager pods follow the parallelism', () => {
    const spec = exampleStreamJob((j) => {
      j.spec.job.parallelism = 7;
      j.spec.taskManager.slots = 3;
    }).spec;
    expect(spec.taskManager.replicas).toBeUndefined();
    expect(specProblems(spec, undefined)).toEqual([]);
  });

  it('lack slots when an explicit taskManager.replicas offers fewer than the parallelism (a scale above it is refused, the run left as it is)', () => {
    const spec = exampleStreamJob((j) => {
      j.spec.job.parallelism = 4;
      j.spec.taskManager.replicas = 2;
    }).spec;
    expect(specProblems(spec, undefined)).toEqual([
      { reason: 'InsufficientSlots', message: 'job.parallelism 4 needs 4 slots, but taskManager.replicas 2 × taskManager.slots 1 offer 2' },
    ]);
  });
});
