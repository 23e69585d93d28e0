import { describe, it, expect } from '@jest/globals';
import { desiredObjects } from '../../../../operator/resources/desired-objects.ts';
import { taskManagerReplicas } from '../../../../operator/resources/task-manager-replicas.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const spec = (parallelism: number, slots: number, replicas?: number) => {
  const job = exampleStreamJob((j) => {
    j.spec.job.parallelism = parallelism;
    j.spec.taskManager.slots = slots;
    if (replicas === undefined) delete j.spec.taskManager.replicas;
    else j.spec.taskManager.replicas = replicas;
  });
  return job.spec;
};

describe('TaskManager replicas', () => {
  it('follow ceil(parallelism / slots) when taskManager.replicas is absent', () => {
    expect([
      taskManagerReplicas(spec(1, 1)),
      taskManagerReplicas(spec(4, 1)),
      taskManagerReplicas(spec(4, 2)),
      taskManagerReplicas(spec(5, 2)),
      taskManagerReplicas(spec(3, 4)),
    ]).toEqual([1, 4, 2, 3, 1]);
  });

  it('are taskManager.replicas when set, whatever the parallelism (0 included)', () => {
    expect([taskManagerReplicas(spec(4, 1, 7)), taskManagerReplicas(spec(1, 1, 3)), taskManagerReplicas(spec(2, 1, 0))]).toEqual([7, 3, 0]);
  });

  it('are the TaskManager pods the operator creates', () => {
    expect(Object.keys(exampleStreamJob().spec.taskManager)).not.toContain('replicas');
    const job = exampleStreamJob((j) => {
      j.spec.job.parallelism = 5;
      j.spec.taskManager.slots = 2;
    });
    expect(desiredObjects(job, { number: 1, specHash: '0123456789abcdef' }).taskManagers.map((p) => p.metadata!.name)).toEqual(['wordcount-taskmanager-0', 'wordcount-taskmanager-1', 'wordcount-taskmanager-2']);
  });
});
