import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStorageLocation } from '../../../../runtime/checkpoint/checkpoint-location.ts';
import { JobRuns } from '../../../../runtime/checkpoint/job-runs.ts';
import { checkpointDirectory } from '../../../../runtime/checkpoint/storage-layout.ts';
import { FilesystemObjectStore } from '../../../../runtime/fs/filesystem-object-store.ts';

const scope = { namespace: 'default', jobName: 'counting' };

describe('JobRuns', () => {
  let dir: string;
  let storage: FilesystemObjectStore;
  let runs: JobRuns;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-runs-'));
    storage = new FilesystemObjectStore(dir);
    runs = new JobRuns(storage, scope);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const checkpoint = (jobId: string, checkpointId: number) =>
    new CheckpointStorageLocation(storage, checkpointDirectory(scope, jobId, checkpointId), 'checkpoint', checkpointId).writeMetadata({
      version: 1,
      checkpointId,
      jobId,
      kind: 'checkpoint',
      timestamp: 1,
      operators: {},
    });

  it('names the first run after the job and starts it empty', async () => {
    expect(await runs.choose()).toEqual({ jobId: 'counting', reason: 'first' });
  });

  it('resumes a run that did not finish, whatever it holds', async () => {
    await checkpoint('counting', 4);
    expect(await runs.choose()).toEqual({ jobId: 'counting', reason: 'resume' });
    expect(await runs.choose({ resume: true })).toEqual({ jobId: 'counting', reason: 'resume' });
  });

  it('after a finished run starts the next one empty, or with --resume from its newest checkpoint', async () => {
    await checkpoint('counting', 3);
    await runs.markFinished('counting');
    await checkpoint('counting-2', 7);
    await checkpoint('counting-2', 8);
    await runs.markFinished('counting-2');
    // Runs of another job whose name starts alike are not this job's.
    await new JobRuns(storage, { namespace: 'default', jobName: 'counting-2' }).markFinished('counting-2');
    expect(await runs.list()).toEqual([
      { jobId: 'counting', number: 1, finished: true },
      { jobId: 'counting-2', number: 2, finished: true },
    ]);
    expect(await runs.choose()).toEqual({ jobId: 'counting-3', reason: 'new' });
    expect(await runs.choose({ resume: true })).toEqual({ jobId: 'counting-3', restoreFrom: `file://${dir}/default/counting/counting-2/checkpoints/chk-8`, reason: 'resume-finished' });
  });

  it('starts a new run from a savepoint it is given, even after an interrupted run', async () => {
    await checkpoint('counting', 1);
    expect(await runs.choose({ fromSavepoint: 's3://b/sp-1' })).toEqual({ jobId: 'counting-2', restoreFrom: 's3://b/sp-1', reason: 'from-savepoint' });
  });

  it('refuses --resume of a finished run without a completed checkpoint, naming it', async () => {
    await runs.markFinished('counting');
    await expect(runs.choose({ resume: true })).rejects.toThrow('--resume: run "counting" of job "counting" finished without a completed checkpoint to resume from');
  });
});
