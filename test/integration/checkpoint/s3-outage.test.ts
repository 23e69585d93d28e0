import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { startCheckpointedLocalJob } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { openObjectStore } from '../../../runtime/fs/open-object-store.ts';
import { startS3Server } from '../../../sandbox/s3/server.ts';
import { committedLines, countingJob, expectedLines } from './job-fixture.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { waitUntil } from '../../support/processes.ts';

const tempDir = tempDirs('sluice-s3-outage-');

describe('checkpoints while S3 is down', () => {
  it('fail with the reason while the job keeps running, complete again once S3 is back, and the output stays exact', async () => {
    const objects = tempDir();
    let s3 = await startS3Server({ directory: objects, buckets: ['checkpoints'] });
    const storage = await openObjectStore('s3://checkpoints/outage', {
      endpoint: s3.endpoint,
      maxAttempts: 1,
      connectionTimeoutMs: 500,
      requestTimeoutMs: 1000,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const output = join(tempDir(), 'out');
    const total = 20_000;
    try {
      const run = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 2500 }), {
        storage,
        scope: { namespace: 'default', jobName: 'counting' },
        jobId: 'outage',
        interval: 200,
        timeout: 2000,
      });
      const counts = () => run.stats.statistics().counts;
      await waitUntil(() => counts().completed >= 1, 'a checkpoint before the outage');
      await s3.stop();
      const failedBefore = counts().failed;
      await waitUntil(() => counts().failed >= failedBefore + 2, 'checkpoints failing during the outage');
      const failed = run.stats.statistics().latest.failed!;
      expect(failed.failureMessage).toContain(`S3 endpoint ${s3.endpoint} is unreachable (bucket "checkpoints"`);
      expect(run.job.tasks.every((t) => t.isRunning)).toBe(true);
      s3 = await startS3Server({ directory: objects, buckets: ['checkpoints'], port: s3.port, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
      const completedDuring = counts().completed;
      await waitUntil(() => counts().completed > completedDuring, 'a checkpoint after the outage', 20_000);
      await run.result;
      expect(committedLines(output)).toEqual(expectedLines(total));
    } finally {
      await storage.close();
      await s3.stop();
    }
  }, 60_000);
});
