import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import type { SluiceConfigInput } from '../../../runtime/config/index.ts';
import { startS3Server, type S3Server } from '../../../sandbox/s3/server.ts';
import { freePort } from '../../support/free-port.ts';
import { waitFor, waitForLog } from '../../support/processes.ts';
import { Cluster } from '../cluster/cluster-fixture.ts';

const JOB = 'test/integration/checkpoint/jobs/counting-exactly-once.ts';
const AWS_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'SLUICE_S3_CREDENTIALS_DIR'];

let dir: string;
let s3: S3Server;
const saved = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-s3-misconfigured-'));
  s3 = await startS3Server({ directory: join(dir, 's3'), buckets: ['checkpoints'] });
});
afterEach(() => {
  // The processes a test starts inherit these, as pods get them from a Secret: each test sets its own.
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});
afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function useCredentials(credentials: { accessKeyId: string; secretAccessKey: string } | undefined): void {
  for (const name of AWS_VARIABLES) delete process.env[name];
  if (credentials) {
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  }
}

function checkpointingTo(bucket: string, endpoint = s3.endpoint): Partial<SluiceConfigInput> {
  return { checkpointing: { interval: '300ms', mode: 'exactly-once', timeout: '10s', minPause: '0ms', retained: 3, storage: { s3: { bucket, prefix: 'jobs', endpoint } } } };
}

/** Starts a JobManager and a TaskManager, waits for the job to fail; both processes must still be up, the JobManager serving REST. */
async function failedAtStart(bucket: string): Promise<string> {
  const cluster = new Cluster({ entry: JOB, args: [join(dir, 'out'), '100000', '1000'], parallelism: 1, taskManagers: 1, config: checkpointingTo(bucket) });
  try {
    await cluster.start();
    await cluster.waitForState('FAILED');
    const exceptions = await cluster.exceptions();
    const message = exceptions.rootException!.message;
    await waitForLog(cluster.jobManager, (entry) => entry.level === 50 && entry.msg === `job test-job failed: ${message}`);
    expect([cluster.jobManager, ...cluster.taskManagers].map((p) => p.child.exitCode)).toEqual([null, null]);
    expect((await cluster.details()).state).toBe('FAILED');
    return message;
  } finally {
    await cluster.stop();
  }
}

/** `sluice <args>` to its end: exit code and stderr. */
function sluice(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['runtime/cli/bin.js', ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

describe('checkpoint storage in S3 misconfigured at job start', () => {
  it('sluice jobmanager with a bucket that does not exist: the job FAILED naming bucket and endpoint, in REST and the log; no process exits', async () => {
    useCredentials(s3);
    const message = await failedAtStart('missing-bucket');
    expect(message).toBe(`S3 bucket "missing-bucket" at ${s3.endpoint}: bucket does not exist`);
  }, 90_000);

  it('sluice jobmanager and taskmanager without any credentials start, and the job FAILED saying how to provide them', async () => {
    useCredentials(undefined);
    const message = await failedAtStart('checkpoints');
    expect(message).toBe(
      `S3 bucket "checkpoints" at ${s3.endpoint}: No S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or mount a Secret with the keys accessKeyId and secretAccessKey and set SLUICE_S3_CREDENTIALS_DIR to its directory`,
    );
  }, 90_000);

  it('sluice run --taskmanagers with wrong credentials exits 1 naming bucket and endpoint', async () => {
    useCredentials({ accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-secret' });
    const { code, stderr } = await sluice(['run', 'examples/wordcount.ts', '--taskmanagers', '1'], {
      SLUICE_CHECKPOINTING__INTERVAL: '1s',
      SLUICE_CHECKPOINTING__STORAGE__S3__BUCKET: 'checkpoints',
      SLUICE_CHECKPOINTING__STORAGE__S3__ENDPOINT: s3.endpoint,
    });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toContain(`sluice: job wordcount FAILED: S3 bucket "checkpoints" at ${s3.endpoint}: access denied (check credentials)`);
  }, 90_000);

  it('sluice run --from-savepoint in a bucket that does not exist, or with wrong credentials, exits 1 naming bucket and endpoint', async () => {
    useCredentials(s3);
    const env = { AWS_ENDPOINT_URL: s3.endpoint };
    const missing = await sluice(['run', 'examples/wordcount.ts', '--from-savepoint', 's3://missing-bucket/savepoints/sp-1'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')).toContain(`sluice: S3 bucket "missing-bucket" at ${s3.endpoint}: bucket does not exist`);
    const denied = await sluice(['run', 'examples/wordcount.ts', '--from-savepoint', 's3://checkpoints/savepoints/sp-1'], { ...env, AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
    expect(denied.code).toBe(1);
    expect(denied.stderr.split('\n')).toContain(`sluice: S3 bucket "checkpoints" at ${s3.endpoint}: access denied (check credentials)`);
  }, 60_000);

  it('S3 not up yet when the job starts: the job restarts under its restart strategy and runs once S3 is up', async () => {
    useCredentials(s3);
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const cluster = new Cluster({
      entry: JOB,
      args: [join(dir, 'late-out'), '100000', '1000'],
      parallelism: 1,
      taskManagers: 1,
      config: { ...checkpointingTo('late', endpoint), restartStrategy: { type: 'fixed-delay', attempts: 1000, delay: '200ms' } },
    });
    let late: S3Server | undefined;
    try {
      await cluster.start();
      const unreachable = await waitFor('a restart because S3 is unreachable', async () => ((await cluster.exceptions()).history.length > 0 ? (await cluster.exceptions()).history[0] : undefined));
      expect(unreachable.exceptionName).toBe('StorageError');
      expect(unreachable.message).toBe(`S3 endpoint ${endpoint} is unreachable (bucket "late", ECONNREFUSED, 3 attempts)`);
      expect((await cluster.details()).state).not.toBe('FAILED');
      // The same root credentials as the file's server: the processes have those.
      late = await startS3Server({ directory: join(dir, 'late-s3'), buckets: ['late'], port, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
      await waitFor('a completed checkpoint in S3 that came up late', async () => {
        const stats = await cluster.get<CheckpointingStatistics>(`/jobs/${cluster.jobId}/checkpoints`);
        return stats.counts.completed > 0 ? stats : undefined;
      }, 60_000);
      const details = await cluster.details();
      expect(details.state).toBe('RUNNING');
      expect(details.restarts).toBeGreaterThan(0);
    } finally {
      await cluster.stop();
      await late?.stop();
    }
  }, 90_000);
});
