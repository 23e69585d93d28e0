import { describe, expect, it } from '@jest/globals';
import { withSchemaDefaults } from '../../../../operator/api/stream-job-defaults.ts';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import type { Observed } from '../../../../operator/lifecycle/decision.ts';
import { decide } from '../../../../operator/lifecycle/lifecycle.ts';
import { specHash } from '../../../../operator/resources/spec-hash.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

/** The example StreamJob as a CRD of session 4 served it: without the fields added since. */
function storedUnderOlderCrd() {
  return exampleStreamJob((j) => {
    delete (j.spec.job as Partial<typeof j.spec.job>).healthCheck;
    delete (j.spec.job as Partial<typeof j.spec.job>).rollback;
    delete (j.spec.job as Partial<typeof j.spec.job>).savepoints;
    delete (j.spec.checkpointing as Partial<typeof j.spec.checkpointing>).deletionPolicy;
  });
}

describe('the schema defaults the operator applies on read', () => {
  it('gives a StreamJob stored under an older CRD the fields added since, as the newer CRD would serve it', () => {
    const stored = storedUnderOlderCrd();
    const before = structuredClone(stored);
    const job = withSchemaDefaults(stored);
    expect(job).toEqual(exampleStreamJob());
    expect(stored).toEqual(before);
    // The added fields are left out of the spec hash: an operator upgrade redeploys nothing.
    expect(specHash(job.spec)).toBe(specHash(exampleStreamJob().spec));
  });

  it('keeps the values a StreamJob has', () => {
    const job = exampleStreamJob((j) => {
      j.spec.job.rollback = { enabled: true, timeout: '30s' };
      j.spec.checkpointing.deletionPolicy = { checkpoints: 'Retain', savepoints: 'Delete' };
    });
    expect(withSchemaDefaults(job)).toEqual(job);
  });

  it('lets the lifecycle decide for a running StreamJob stored under an older CRD as for the same job under the newer one (without the defaults it throws)', () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const checkpoint = { id: 7, path: 's3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-7', time: new Date('2026-11-25T11:59:58Z') };
    const pod = (name: string) => ({ name, ready: true, run: 1, terminating: false });
    const observe = (job: StreamJob, running = false): Observed => ({
      job,
      now,
      specHash: specHash(withSchemaDefaults(job).spec),
      problems: [],
      ...(running
        ? { jobManagerPod: pod('wordcount-jobmanager'), taskManagerPods: [pod('wordcount-taskmanager-0'), pod('wordcount-taskmanager-1')], jobManager: { reachable: true, state: 'RUNNING', restarts: 0, latestCompleted: checkpoint } }
        : { taskManagerPods: [] }),
    });
    let job = exampleStreamJob();
    job = { ...job, status: decide(observe(job)).status };
    job = { ...job, status: decide(observe(job, true)).status };
    const stored = { ...storedUnderOlderCrd(), status: job.status };
    expect(() => decide(observe(stored, true))).toThrow(TypeError);
    expect(decide(observe(withSchemaDefaults(stored), true))).toEqual(decide(observe(job, true)));
  });
});
