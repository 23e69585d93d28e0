import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argocdHealth, type Health, type LuaInterpreter } from '../../../../support/argocd-health.ts';
import { STREAM_JOB_STATES, type StreamJobState } from '../../../../support/stream-job-states.ts';

const root = resolve(import.meta.dirname, '../../../../..');
const script = join(root, 'charts/sluice-operator/argocd/health.lua');

/** What Argo CD shows for the example StreamJob in each state the operator's lifecycle writes. */
const EXPECTED: Record<StreamJobState, Health> = {
  created: { status: 'Progressing', message: 'Waiting for the operator to report status' },
  specNotObserved: { status: 'Progressing', message: 'The operator has not yet acted on generation 2' },
  deploying: { status: 'Progressing', message: 'Deploying the first run' },
  waitingForFirstCheckpoint: { status: 'Progressing', message: 'Running with 2 TaskManagers; No checkpoint has completed yet' },
  running: { status: 'Healthy', message: 'Running with 2 TaskManagers; Checkpoint 7 completed at 2026-11-25T11:59:58Z' },
  checkpointsLate: { status: 'Degraded', message: 'No checkpoint completed in the last 70s' },
  redeployingForHealth: {
    status: 'Progressing',
    message: 'Redeploying from the newest verified checkpoint (redeploy 1 for health): The job completed no checkpoint for 300s, longer than the checkpoint progress window of 120s (last: s3://checkpoints/sluice/streaming/wordcount/run-1/checkpoints/chk-7)',
  },
  taskManagerNotReady: { status: 'Progressing', message: 'Running; TaskManagers ready: 1/2' },
  restarting: { status: 'Progressing', message: 'The job is RESTARTING' },
  upgrading: { status: 'Progressing', message: 'Upgrading (stateless): Stopping' },
  checkingUpgrade: {
    status: 'Progressing',
    message: expect.stringMatching(/^Checking whether spec [0-9a-f]{16} can restore the state of run 1 before stopping it \(pod wordcount-plan-[0-9a-f]{10}\)$/) as unknown as string,
  },
  upgradeHeld: {
    status: 'Degraded',
    message: expect.stringMatching(/^The upgrade to spec [0-9a-f]{16} is not carried out and the old run keeps running: it is unsafe: the state of operator sums would be dropped\. /) as unknown as string,
  },
  suspended: { status: 'Suspended', message: 'The job is suspended; set spec.job.state to running to resume it' },
  failed: { status: 'Degraded', message: 'The job failed and its restart strategy is exhausted: Error: boom in map' },
  finished: { status: 'Healthy', message: 'The job finished' },
  invalidSpec: { status: 'Degraded', message: 'job.parallelism 4 needs 4 slots, but taskManager.replicas 2 × taskManager.slots 1 offer 2' },
  rolledBack: {
    status: 'Degraded',
    message: expect.stringMatching(/^Rolled back to the last stable spec [0-9a-f]{16}; spec [0-9a-f]{16} is not deployed again until the spec changes, because run 2 was not stable within 1m$/) as unknown as string,
  },
  crashLooping: {
    status: 'Degraded',
    message: 'pod wordcount-taskmanager-1 container taskmanager: CrashLoopBackOff: back-off 20s restarting failed container=taskmanager; last exit code 1 (Error) after 2 restarts',
  },
};

describe.each<LuaInterpreter>(['lua5.4', 'gopher-lua'])('Argo CD health check (charts/sluice-operator/argocd/health.lua) in %s', (interpreter) => {
  it.each(Object.entries(EXPECTED))('%s', async (state, expected) => {
    expect(await argocdHealth(interpreter, script, STREAM_JOB_STATES[state as StreamJobState]())).toEqual(expected);
  });
});

describe('the argocd-cm snippet in operator/README.md', () => {
  it('is the chart\'s health.lua', () => {
    const readme = readFileSync(join(root, 'operator/README.md'), 'utf8');
    const key = '  resource.customizations.health.sluice.dev_StreamJob: |\n';
    const block = readme.slice(readme.indexOf(key) + key.length, readme.indexOf('```', readme.indexOf(key)));
    const dedented = block.split('\n').map((line) => line.replace(/^ {4}/, '')).join('\n');
    expect(readme.indexOf(key)).toBeGreaterThan(0);
    expect(dedented).toBe(readFileSync(script, 'utf8'));
  });
});
