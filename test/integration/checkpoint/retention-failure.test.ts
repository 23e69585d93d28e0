import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startCheckpointedLocalJob } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { CompletedCheckpointStore } from '../../../runtime/checkpoint/completed-checkpoint-store.ts';
import { openObjectStore } from '../../../runtime/fs/open-object-store.ts';
import { useS3BehindFaultProxy } from '../../support/fault-proxy.ts';
import { waitUntil } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { committedLines, countingJob, expectedLines } from './job-fixture.ts';

const tempDir = tempDirs('sluice-retention-failure-');
const scope = { namespace: 'default', jobName: 'counting' };

describe('a retention that fails on a strict S3 server', () => {
  const s3 = useS3BehindFaultProxy(tempDir);

  it('is visible (REST retention, metrics) with the checkpoints left behind while the job runs on, and clears once deletes succeed; output exact', async () => {
    const { proxy } = s3;
    const options = { endpoint: proxy.endpoint, maxAttempts: 1, credentials: { accessKeyId: s3.s3.accessKeyId, secretAccessKey: s3.s3.secretAccessKey } };
    const storage = await openObjectStore('s3://checkpoints/retention', options);
    const output = join(tempDir(), 'out');
    const total = 8000;
    // As Ceph RGW, Swift's s3api and older MinIO answer a delete they do not accept.
    proxy.fault = (req) =>
      req.method === 'DELETE' || (req.method === 'POST' && /[?&]delete/.test(req.url ?? ''))
        ? { status: 400, code: 'InvalidRequest', message: 'Missing required header for this request: Content-MD5' }
        : 'pass';
    const registry = new Registry();
    try {
      const run = await startCheckpointedLocalJob(countingJob(output, { total, parallelism: 2, recordsPerSecond: 1000 }), { storage, scope, jobId: 'run', interval: 200, retained: 1, registry });
      await waitUntil(() => run.stats.statistics().retention.failures >= 3, 'three failed retentions', 30_000);
      const failing = run.stats.statistics().retention;
      expect(failing.lastFailure).toEqual({
        timestamp: expect.any(Number),
        message: `S3 bucket "checkpoints" at ${proxy.endpoint}: delete failed: InvalidRequest: Missing required header for this request: Content-MD5 (HTTP 400)`,
        // One more checkpoint left behind by each failed retention (retained 1).
        checkpointsLeftBehind: failing.failures,
      });
      expect(run.job.tasks.every((t) => t.isRunning)).toBe(true);
      proxy.fault = () => 'pass';
      await run.result;
      expect(run.stats.statistics().retention.lastFailure).toBeNull();
      const metrics = await registry.metrics();
      expect(metrics).toContain('sluice_checkpoints_left_behind 0\n');
      expect(metrics).toMatch(new RegExp(`sluice_checkpoint_retention_failures_total ${run.stats.statistics().retention.failures}\\n`));
      expect((await new CompletedCheckpointStore(storage, scope, 'run').checkpoints()).map((c) => c.completed)).toEqual([true]);
      expect(committedLines(output)).toEqual(expectedLines(total));
    } finally {
      proxy.fault = () => 'pass';
      await storage.close();
    }
  }, 60_000);
});
