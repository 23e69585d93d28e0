import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { committedLines, countingJobManifest, outputDirectory } from '../support/stream-job-runs.ts';
import { expectedLines } from './fixtures/exactly-once-counting-job.ts';
import { eventually, startCountingJobHarness, type CountingJobHarness } from './operator-harness.ts';

// Issue 15 item 3 on the real control plane with the process kubelet and MinIO: `kubectl scale sj`
// changes the job's parallelism through the CRD's scale subresource, the operator rescales the
// exactly-once counting job through a savepoint (keyed state redistributed by key group, the source's
// splits by its enumerator) onto ceil(parallelism / slots) TaskManagers, and the committed output is
// exactly the expected output.
const NAMESPACE = 'e2e-scale';
const BUCKET = 'e2e-scale';
let harness: CountingJobHarness;
let cluster: E2eCluster;

interface Sample {
  run?: number;
  jobState?: string;
  parallelism?: number;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const status = async (name: string) => (await cluster.api.get<{ status?: any }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${name}`)).status;
const taskManagerPods = async (name: string) =>
  (await cluster.kubectlOk(['get', 'pods', '-l', `sluice.dev/job=${name},sluice.dev/component=taskmanager`, '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean).sort();

beforeAll(async () => {
  harness = await startCountingJobHarness(NAMESPACE, BUCKET);
  cluster = harness.cluster;
}, 180_000);

afterAll(() => harness?.stop(), 90_000);

/**
 * Waits until run `run` of the job runs at `parallelism` with a completed checkpoint, sampling the
 * status on the way: what status.parallelism said while each run was in which state.
 */
async function rescaled(name: string, run: number, parallelism: number, samples: Sample[]) {
  return eventually(`run ${run} running at parallelism ${parallelism} with a checkpoint`, async () => {
    const s = await status(name);
    samples.push({ run: s?.run?.number, jobState: s?.jobState, parallelism: s?.parallelism });
    return s?.run?.number === run && s.phase === 'Running' && s.parallelism === parallelism && s.lastCheckpoint ? s : undefined;
  }, 150_000);
}

describe('scaling through the scale subresource', () => {
  it('kubectl scale 2 → 4 → 1 rescales the exactly-once job through savepoints onto as many TaskManagers, reporting the parallelism once each run runs, and commits exactly the expected output', async () => {
    // 50 s of input at 20 records/s: each upgrade first runs the upgrade check (a plan pod) while the
    // old run goes on, and run 3 must still have input left to run with a checkpoint.
    const COUNT = 1000;
    const output = outputDirectory(cluster, 'scale');
    const manifest = countingJobManifest(cluster, { name: 'scale', output, count: COUNT, rate: 20, bucket: BUCKET });
    // No replicas: TaskManager pods follow the parallelism.
    const { replicas: _replicas, ...taskManager } = manifest.spec.taskManager;
    const job = { ...manifest, spec: { ...manifest.spec, job: { ...manifest.spec.job, upgradeMode: 'savepoint' }, taskManager, checkpointing: { ...manifest.spec.checkpointing, timeout: '15s' } } };
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(job));
    const samples: Sample[] = [];
    await rescaled('scale', 1, 2, samples);
    expect(await taskManagerPods('scale')).toEqual(['scale-taskmanager-0', 'scale-taskmanager-1']);

    expect(await cluster.kubectlOk(['scale', 'sj', 'scale', '--replicas=4'])).toBe('streamjob.sluice.dev/scale scaled\n');
    expect(await cluster.kubectlOk(['get', 'sj', 'scale', '-o', 'jsonpath={.spec.job.parallelism}'])).toBe('4');
    const run2 = await rescaled('scale', 2, 4, samples);
    expect(run2.run).toMatchObject({ parallelism: 4, restorePath: run2.savepoints.last.path });
    expect(run2.savepoints.last.trigger).toBe('upgrade');
    expect(await taskManagerPods('scale')).toEqual(['scale-taskmanager-0', 'scale-taskmanager-1', 'scale-taskmanager-2', 'scale-taskmanager-3']);
    const selector = 'app.kubernetes.io/managed-by=sluice-operator,sluice.dev/job=scale,sluice.dev/component=taskmanager';
    expect(await cluster.kubectlOk(['get', 'sj', 'scale', '--subresource=scale', '-o', 'jsonpath={.spec.replicas} {.status.replicas} {.status.selector}'])).toBe(`4 4 ${selector}`);

    await cluster.kubectlOk(['scale', 'sj', 'scale', '--replicas=1']);
    const run3 = await rescaled('scale', 3, 1, samples);
    expect(run3.run).toMatchObject({ parallelism: 1, restorePath: run3.savepoints.last.path });
    expect(await cluster.kubectlOk(['get', 'sj', 'scale', '--subresource=scale', '-o', 'jsonpath={.spec.replicas} {.status.replicas} {.status.selector}'])).toBe(`1 1 ${selector}`);

    // status.parallelism named a run's parallelism only while that run was RUNNING (or restarting).
    const shown = samples.filter((s) => s.parallelism !== undefined);
    expect(shown.filter((s) => s.parallelism !== ({ 1: 2, 2: 4, 3: 1 } as Record<number, number>)[s.run!])).toEqual([]);
    expect(samples.filter((s) => s.parallelism !== undefined && s.jobState !== 'RUNNING' && s.jobState !== 'RESTARTING')).toEqual([]);

    await eventually('run 3 Finished', async () => {
      const s = await status('scale');
      return s?.run?.number === 3 && s.phase === 'Finished' ? s : undefined;
    }, 150_000);
    expect(await taskManagerPods('scale')).toEqual(['scale-taskmanager-0']);
    expect(committedLines(join(output, 'main'))).toEqual(expectedLines(COUNT));
  }, 480_000);
});
