import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operatorIdFromUid } from '../../../runtime/graph/operator-id.ts';
import { ProcessGroup, waitForLog, type TrackedProcess } from '../../support/processes.ts';
import { tempDirs } from '../../support/temp-dirs.ts';

// The counting job of the operator's end-to-end tests: a source with uid "sequence", running sums
// with uid "sums" (or --sums-uid=NAME), printed.
const JOB = 'test/e2e/operator/fixtures/counting-job.ts';
const group = new ProcessGroup();
const tempDir = tempDirs('sluice-plan-');
afterAll(() => group.stopAll());

const finished = async (p: TrackedProcess) => ({ code: await p.exited, stdout: p.stdout.join('\n'), stderr: p.stderr.join('\n') });

describe('sluice plan against the checkpoints of a real run', () => {
  const checkpoints = tempDir();
  let checkpoint: { id: number; uri: string };

  beforeAll(async () => {
    // Checkpoints every 200 ms until one completed, then the run is killed: it stays an interrupted run.
    const run = group.sluice('run', ['run', JOB, '--name', 'counting', '--parallelism', '2', '--checkpoint-dir', checkpoints], { SLUICE_CHECKPOINTING__INTERVAL: '200ms' });
    const completed = await waitForLog(run, (e) => e.msg === 'checkpoint completed');
    run.child.kill('SIGKILL');
    await run.exited;
    const id = completed.checkpointId as number;
    // The run may have completed newer checkpoints before the kill; --from-run compares with its newest.
    const newest = Math.max(...run.stderr.flatMap((l) => (l.includes('"checkpoint completed"') ? [JSON.parse(l).checkpointId as number] : [])), id);
    checkpoint = { id: newest, uri: `file://${join(checkpoints, 'default/counting/counting/checkpoints', `chk-${newest}`)}` };
    // The plans run side by side: each builds the job in a process of its own.
    const fromRun = ['--name', 'counting', '--from-run', 'counting', '--checkpoint-dir', checkpoints];
    plans = {
      same: plan('same', '--parallelism', '3', ...fromRun),
      renamed: plan('renamed', '--termination-message', messageFiles.renamed, ...fromRun, '--', '--sums-uid=totals'),
      rescaled: plan('rescaled', '--max-parallelism', '64', '--from', `${checkpoint.uri.slice('file://'.length)}/_metadata`),
      missing: plan('missing', '--termination-message', messageFiles.missing, '--from', join(checkpoints, 'no-such-checkpoint')),
    };
  }, 60_000);

  const plan = (name: string, ...args: string[]) => finished(group.sluice(name, ['plan', JOB, ...args]));
  const messageFiles = { renamed: join(tempDir(), 'termination-log'), missing: join(tempDir(), 'termination-log') };
  let plans: Record<'same' | 'renamed' | 'rescaled' | 'missing', ReturnType<typeof finished>>;

  it('the same job restores: exit 0, every operator with state is there', async () => {
    const result = await plans.same;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      safe: true,
      restorePoint: checkpoint.uri,
      checkpointId: checkpoint.id,
      problems: [],
      summary: `all 2 operators with state in ${checkpoint.uri} are in the new job, keyed alike with the same maxParallelism`,
    });
  }, 30_000);

  it('a renamed stateful uid drops its state: exit 3, the uid named, also in the termination message file', async () => {
    const result = await plans.renamed;
    const message = `operator uid "sums" has state in ${checkpoint.uri} but no operator of the new job has that uid`;
    const expected = {
      safe: false,
      restorePoint: checkpoint.uri,
      checkpointId: checkpoint.id,
      problems: [{ kind: 'state-dropped', operatorId: operatorIdFromUid('sums'), uid: 'sums', message }],
      summary: message,
    };
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual(expected);
    expect(JSON.parse(readFileSync(messageFiles.renamed, 'utf8'))).toEqual(expected);
  }, 30_000);

  it('a changed maxParallelism cannot restore the keyed sums, compared with the checkpoint given by path', async () => {
    const result = await plans.rescaled;
    const message = `operator uid "sums" has keyed state in ${checkpoint.uri} for maxParallelism 128, the new job has 64; maxParallelism must not change`;
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stdout)).toEqual({
      safe: false,
      restorePoint: checkpoint.uri,
      checkpointId: checkpoint.id,
      problems: [{ kind: 'max-parallelism-changed', operatorId: operatorIdFromUid('sums'), uid: 'sums', message }],
      summary: message,
    });
  }, 30_000);

  it('a check that cannot be made exits 1 with the reason, in the termination message too', async () => {
    const result = await plans.missing;
    expect(result.code).toBe(1);
    const written = JSON.parse(readFileSync(messageFiles.missing, 'utf8'));
    expect(written).toMatchObject({ safe: false, problems: [] });
    expect(written.error).toContain('no-such-checkpoint');
    expect(result.stderr).toContain(written.error);
  }, 30_000);

  it('resuming the run with the uid renamed fails naming it; with job.allowNonRestoredState it starts and leaves that state behind', async () => {
    const args = ['run', JOB, '--name', 'counting', '--parallelism', '2', '--checkpoint-dir', checkpoints, '--', '--sums-uid=totals'];
    const refused = await finished(group.sluice('refused', args, { SLUICE_CHECKPOINTING__INTERVAL: '200ms' }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Cannot restore job "counting": operator uid "sums" has state in ${checkpoint.uri} but no operator of the new job has that uid (allowNonRestoredState starts the job without it)`);

    const allowed = group.sluice('allowed', args, { SLUICE_CHECKPOINTING__INTERVAL: '200ms', SLUICE_JOB__ALLOW_NON_RESTORED_STATE: 'true' });
    const left = await waitForLog(allowed, (e) => typeof e.msg === 'string' && e.msg.startsWith('allowNonRestoredState: leaving state behind'));
    expect(left).toMatchObject({ uid: 'sums', operatorId: operatorIdFromUid('sums') });
    await waitForLog(allowed, (e) => e.msg === 'checkpoint completed' && (e.checkpointId as number) > checkpoint.id);
    allowed.child.kill('SIGKILL');
    await allowed.exited;
  }, 60_000);
});
