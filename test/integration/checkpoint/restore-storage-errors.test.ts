import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCheckpointedLocalJob } from '../../../runtime/checkpoint/checkpointed-local-job.ts';
import { CompletedCheckpointStore } from '../../../runtime/checkpoint/completed-checkpoint-store.ts';
import { openObjectStore } from '../../../runtime/fs/open-object-store.ts';
import type { ObjectStore } from '../../../runtime/fs/object-store.ts';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { useS3BehindFaultProxy, type Fault, type FaultProxy } from '../../support/fault-proxy.ts';
import { waitFor, waitUntil } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedLines, countingJob, expectedLines } from './job-fixture.ts';

const tempDir = tempDirs('sluice-restore-errors-');
const scope = { namespace: 'default', jobName: 'counting' };
const isMetadataRead = (method: string | undefined, url: string | undefined) => method === 'GET' && /\/_metadata(\?|$)/.test(url ?? '');

/** The next `n` reads of a `_metadata` get `faults` in turn; everything else passes. Forgets the faults injected before. */
function faultMetadataReads(proxy: FaultProxy, faults: readonly Fault[], n: number): void {
  proxy.injected.length = 0;
  let i = 0;
  proxy.fault = (req) => (isMetadataRead(req.method, req.url) && i < n ? faults[i++ % faults.length]! : 'pass');
}

describe('a transient S3 error while reading _metadata at restore is not corruption', () => {
  const servers = useS3BehindFaultProxy(tempDir);

  const open = (endpoint: string, prefix: string): Promise<ObjectStore> =>
    openObjectStore(`s3://checkpoints/${prefix}`, { endpoint, maxAttempts: 2, connectionTimeoutMs: 1000, requestTimeoutMs: 5000, credentials: { accessKeyId: servers.s3.accessKeyId, secretAccessKey: servers.s3.secretAccessKey } });

  it('in one process: 503s and resets fail the restore naming the newest checkpoint, never an older one; once S3 answers the run resumes from it, output exact', async () => {
    const { s3, proxy } = servers;
    const storage = await open(proxy.endpoint, 'local');
    const direct = await open(s3.endpoint, 'local');
    const output = join(tempDir(), 'out');
    const total = 12_000;
    const job = () => countingJob(output, { total, parallelism: 2, recordsPerSecond: 4000 });
    const options = { storage, scope, jobId: 'run-1', interval: 200 };
    try {
      const first = await startCheckpointedLocalJob(job(), options);
      await waitUntil(() => first.stats.statistics().counts.completed >= 3, 'three checkpoints');
      first.job.cancel();
      await expect(first.result).rejects.toThrow('was cancelled');
      const newest = (await new CompletedCheckpointStore(direct, scope, 'run-1').findLatest()).checkpoint!;
      const newestMetadata = `s3://checkpoints/local/default/counting/run-1/checkpoints/chk-${newest.checkpointId}/_metadata`;

      faultMetadataReads(proxy, ['503'], Infinity);
      await expect(startCheckpointedLocalJob(job(), options)).rejects.toThrow(
        `S3 endpoint ${proxy.endpoint} is unavailable: read of "${newestMetadata}" failed with HTTP 503 ServiceUnavailable (2 attempts)`,
      );
      const unavailable = [...proxy.injected];
      faultMetadataReads(proxy, ['reset'], Infinity);
      await expect(startCheckpointedLocalJob(job(), options)).rejects.toThrow(`S3 endpoint ${proxy.endpoint} is unreachable (bucket "checkpoints", ECONNRESET, 2 attempts)`);
      // Every faulted read was of the newest checkpoint: none was skipped for an older one.
      const read = `GET /checkpoints/local/default/counting/run-1/checkpoints/chk-${newest.checkpointId}/_metadata?x-id=GetObject`;
      expect([...unavailable, ...proxy.injected]).toEqual([`503 ${read}`, `503 ${read}`, `reset ${read}`, `reset ${read}`]);

      // S3 recovers after one more 503 (the SDK's retry gets the answer): the run resumes from the newest checkpoint.
      faultMetadataReads(proxy, ['503'], 1);
      const resumed = await startCheckpointedLocalJob(job(), options);
      expect(resumed.restored).toEqual({ checkpointId: newest.checkpointId, path: newest.uri, origin: 'own-run' });
      expect(resumed.skipped).toEqual([]);
      await resumed.result;
      expect(committedLines(output)).toEqual(expectedLines(total));
    } finally {
      proxy.fault = () => 'pass';
      await storage.close();
      await direct.close();
    }
  }, 90_000);

  it('in a cluster: a TaskManager SIGKILLed while _metadata reads fail; the restart strategy retries the restore until S3 answers, output exact', async () => {
    const { s3, proxy } = servers;
    const total = 12_000;
    const output = join(tempDir(), 'out');
    const credentialsDirectory = tempDir();
    writeFileSync(join(credentialsDirectory, 'accessKeyId'), s3.accessKeyId);
    writeFileSync(join(credentialsDirectory, 'secretAccessKey'), s3.secretAccessKey);
    const cluster = new Cluster({
      entry: 'test/integration/checkpoint/jobs/counting-exactly-once.ts',
      args: [output, String(total), '3000'],
      parallelism: 2,
      taskManagers: 2,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 10, delay: '300ms' },
        checkpointing: { interval: '200ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { s3: { bucket: 'checkpoints', prefix: 'cluster', endpoint: proxy.endpoint, credentialsDirectory } } },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    try {
      await cluster.start();
      await cluster.waitForDetails('all subtasks running', allRunning);
      await waitFor('two checkpoints', async () => ((await checkpoints()).counts.completed >= 2 ? true : undefined));
      // Three reads fail (the SDK tries each read 3 times by default): the first restore fails, the restart strategy's next one reads.
      faultMetadataReads(proxy, ['503', 'reset'], 3);
      await cluster.replaceTaskManager(0, 'tm-0-again');
      const done = await cluster.waitForState('FINISHED', 60_000);
      expect(proxy.injected.map((f) => f.replace(/ .*/, ''))).toEqual(['503', 'reset', '503']);
      expect(committedLines(output)).toEqual(expectedLines(total));
      const stats = await checkpoints();
      expect(stats.skippedOnRestore).toEqual([]);
      expect(stats.counts.restored).toBe(1);
      // The TaskManager's loss, then the restore that failed on S3: two restarts.
      expect(done.restarts).toBe(2);
      const history = (await cluster.exceptions()).history.map((e) => e.message);
      expect(history).toContain(`S3 endpoint ${proxy.endpoint} is unavailable: read of "s3://checkpoints/cluster/default/${cluster.jobId}/${cluster.jobId}/checkpoints/chk-${stats.latest.restored!.id}/_metadata" failed with HTTP 503 ServiceUnavailable (3 attempts)`);
    } finally {
      proxy.fault = () => 'pass';
      await cluster.stop();
    }
  }, 120_000);
});
