import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openObjectStore } from '../../../runtime/fs/open-object-store.ts';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import { startS3Server } from '../../../sandbox/s3/server.ts';
import { waitFor } from '../../support/processes.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { committedS3Lines } from '../connectors/s3-objects.ts';
import { expectedLines } from './job-fixture.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

const JOB = 'test/integration/checkpoint/jobs/counting-s3-sink.ts';
const tempDir = tempDirs('sluice-s3-sink-e2e-');


describe('exactly-once S3 sink and S3 checkpoint storage across JobManager and TaskManager processes', () => {
  it('TaskManagers SIGKILLed at random moments: the committed objects hold exactly the expected lines', async () => {
    const total = 16_000;
    const s3 = await startS3Server({ directory: tempDir(), buckets: ['output', 'checkpoints'] });
    // As in a pod: credentials in a mounted Secret directory and the endpoint, both only in the
    // configuration of checkpoint storage, which the sink in the TaskManagers falls back to.
    const credentialsDirectory = tempDir();
    writeFileSync(join(credentialsDirectory, 'accessKeyId'), s3.accessKeyId);
    writeFileSync(join(credentialsDirectory, 'secretAccessKey'), s3.secretAccessKey);
    const bucket = await openObjectStore('s3://output', { endpoint: s3.endpoint, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const cluster = new Cluster({
      entry: JOB,
      args: ['s3://output/counts', String(total), '4000'],
      parallelism: 2,
      taskManagers: 0,
      config: {
        restartStrategy: { type: 'fixed-delay', attempts: 10, delay: '200ms' },
        checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { s3: { bucket: 'checkpoints', prefix: 'sluice', endpoint: s3.endpoint, credentialsDirectory } } },
      },
    });
    const checkpoints = () => cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
    try {
      await cluster.start();
      for (let i = 0; i < 2; i++) cluster.startTaskManager(`tm-${i}`);
      for (let kill = 0; kill < 2; kill++) {
        await cluster.waitForDetails('all subtasks running', allRunning);
        const before = (await checkpoints()).counts.completed;
        await waitFor('a checkpoint of this attempt', async () => ((await checkpoints()).counts.completed > before ? true : undefined));
        // A random moment between checkpoints: parts of the open interval are being uploaded.
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        await cluster.replaceTaskManager(kill, `tm-${kill}-again`);
      }
      const done = await cluster.waitForState('FINISHED', 60_000);
      expect(done.restarts).toBe(2);
      expect((await checkpoints()).counts.restored).toBe(2);
      expect(await committedS3Lines(bucket, 'counts')).toEqual(expectedLines(total));
      // Every published object is one checkpoint interval of one subtask.
      const published = (await bucket.list('counts')).map((e) => e.path).filter((p) => p.startsWith('counts/part-'));
      expect(published.every((p) => /^counts\/part-[01]-[0-9a-f]{8}-\d+$/.test(p))).toBe(true);
    } finally {
      await cluster.stop();
      await bucket.close();
      await s3.stop();
    }
  }, 90_000);
});
