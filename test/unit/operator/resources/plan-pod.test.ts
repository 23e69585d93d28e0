import { describe, expect, it } from '@jest/globals';
import { planPod, planPodName, PLAN_DEADLINE_SECONDS } from '../../../../operator/resources/plan-pod.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

describe('planPod', () => {
  const job = exampleStreamJob((j) => {
    j.spec.job.args = ['--unbounded', '--window', '10s'];
    j.spec.job.parallelism = 3;
  });
  const pod = planPod(job, { specHash: '0123456789abcdef', fromRun: `${job.metadata.uid}-4`, from: 's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1' });

  it('runs sluice plan against the old run, writing its verdict as the termination message', () => {
    expect(planPodName(job, '0123456789abcdef')).toBe('wordcount-plan-0123456789');
    expect(pod.metadata).toMatchObject({ name: 'wordcount-plan-0123456789', labels: { 'sluice.dev/component': 'plan' }, annotations: { 'sluice.dev/spec-hash': '0123456789abcdef' } });
    expect(pod.spec!.activeDeadlineSeconds).toBe(PLAN_DEADLINE_SECONDS);
    expect(pod.spec!.containers[0]!.command).toEqual([
      'node',
      'runtime/cli/bin.js',
      'plan',
      '--from-run',
      `${job.metadata.uid}-4`,
      '--from',
      's3://checkpoints/sluice/streaming/wordcount/savepoints/sp-1',
      '--termination-message',
      '/dev/termination-log',
    ]);
  });

  it("builds the new spec's job with the job's storage: no run id, no JobManager, no run key", () => {
    const env = Object.fromEntries(pod.spec!.containers[0]!.env!.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    expect(env).toEqual({
      SLUICE_JOB__NAME: 'wordcount',
      SLUICE_JOB__NAMESPACE: 'streaming',
      SLUICE_JOB__ENTRY: 'examples/wordcount.ts',
      SLUICE_JOB__ARGS: '["--unbounded","--window","10s"]',
      SLUICE_JOB__PARALLELISM: '3',
      SLUICE_JOB__MAX_PARALLELISM: '128',
      SLUICE_CHECKPOINTING__STORAGE__S3__BUCKET: 'checkpoints',
      SLUICE_CHECKPOINTING__STORAGE__S3__PREFIX: 'sluice',
      SLUICE_CHECKPOINTING__STORAGE__S3__ENDPOINT: 'http://minio.minio:9000',
      SLUICE_CHECKPOINTING__STORAGE__S3__REGION: 'us-east-1',
      SLUICE_CHECKPOINTING__STORAGE__S3__FORCE_PATH_STYLE: 'true',
    });
    expect(pod.spec!.containers[0]!.env!.filter((e) => e.valueFrom !== undefined).map((e) => e.name)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  });
});
