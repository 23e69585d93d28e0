import { describe, expect, it } from '@jest/globals';
import type { StreamJob } from '../../../../operator/api/stream-job.ts';
import { storageCleanupPod, storageCleanupPrefixes } from '../../../../operator/resources/storage-cleanup-pod.ts';
import { exampleStreamJob } from '../../../support/stream-job-fixture.ts';

const uid = '6f1c0000-0000-4000-8000-000000000001';
const sp = (n: number) => `s3://checkpoints/sluice/streaming/wordcount/savepoints/sp-${n}`;

/** The example StreamJob with run 3 deployed and savepoints recorded. */
function deployed(change: (job: StreamJob) => void = () => {}): StreamJob {
  return exampleStreamJob((j) => {
    j.status = {
      run: { number: 3, specHash: 'h', startTime: '2026-11-25T12:00:00Z' },
      savepoints: {
        last: { path: sp(3), time: '2026-11-25T12:00:03Z', trigger: 'periodic' },
        history: [
          { path: sp(3), time: '2026-11-25T12:00:03Z', trigger: 'periodic' },
          { path: `${sp(2)}/`, time: '2026-11-25T12:00:02Z', trigger: 'manual' },
          { path: 's3://elsewhere/sp-9', time: '2026-11-25T12:00:01Z', trigger: 'manual' },
        ],
        disposing: [{ path: sp(1), since: '2026-11-25T12:00:04Z' }],
      },
    };
    change(j);
  });
}

describe('what deleting a StreamJob deletes from storage', () => {
  it('by default, the checkpoint folders of all its runs and no savepoint', () => {
    expect(storageCleanupPrefixes(deployed())).toEqual([`${uid}-`]);
  });

  it('with savepoints: Delete, also every savepoint of its folder listed in status, but not initialSavepointPath', () => {
    const job = deployed((j) => {
      j.spec.checkpointing.deletionPolicy = { checkpoints: 'Delete', savepoints: 'Delete' };
      j.spec.job.initialSavepointPath = sp(2);
    });
    expect(storageCleanupPrefixes(job)).toEqual([`${uid}-`, 'savepoints/sp-3/', 'savepoints/sp-1/']);
  });

  it('nothing when everything is retained, or no run was ever deployed', () => {
    expect(storageCleanupPrefixes(deployed((j) => (j.spec.checkpointing.deletionPolicy = { checkpoints: 'Retain', savepoints: 'Retain' })))).toEqual([]);
    expect(storageCleanupPrefixes(exampleStreamJob())).toEqual([]);
  });

  it('runs `sluice cleanup` in a one-shot pod with the job\'s storage settings and credentials', () => {
    const pod = storageCleanupPod(deployed(), [`${uid}-`]);
    expect(pod.metadata!.name).toBe('wordcount-storage-cleanup');
    expect(pod.metadata!.labels!['sluice.dev/component']).toBe('cleanup');
    const container = pod.spec!.containers[0]!;
    expect(container.command).toEqual(['node', 'runtime/cli/bin.js', 'cleanup', '--delete', `${uid}-`]);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({
      SLUICE_JOB__NAME: 'wordcount',
      SLUICE_JOB__NAMESPACE: 'streaming',
      SLUICE_CHECKPOINTING__STORAGE__S3__BUCKET: 'checkpoints',
      SLUICE_CHECKPOINTING__STORAGE__S3__PREFIX: 'sluice',
      AWS_ACCESS_KEY_ID: { secretKeyRef: { name: 'minio-creds', key: 'AWS_ACCESS_KEY_ID' } },
    });
    expect(pod.spec!.restartPolicy).toBe('Never');
    expect(pod.spec!.automountServiceAccountToken).toBe(false);
  });
});
