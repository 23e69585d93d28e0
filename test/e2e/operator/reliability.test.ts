import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { captureGitOpsHealth } from '../support/gitops-health.ts';
import { committedLines, countingJobManifest, jobManagerGet, outputDirectory } from '../support/stream-job-runs.ts';
import { expectedLines } from './fixtures/exactly-once-counting-job.ts';
import { eventually, startCountingJobHarness, type CountingJobHarness } from './operator-harness.ts';

// Issue 12 items 4, 5 and 6 on the real control plane with the process kubelet and MinIO, the
// operator run as the chart runs it: the StreamJob's restart strategy as the JobManager
// runs it, a savepoint upgrade whose JobManager pod is deleted while its stop-with-savepoint is in
// flight (exact output afterwards), and pods that cannot start their containers shown as Degraded.
const NAMESPACE = 'e2e-reliability';
const BUCKET = 'e2e-reliability';
let harness: CountingJobHarness;
let cluster: E2eCluster;

const sj = async (name: string) => (await cluster.api.get<{ metadata: { uid: string }; status?: any }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${name}`)); // eslint-disable-line @typescript-eslint/no-explicit-any
const condition = (status: { conditions?: { type: string; status: string; reason: string; message: string }[] } | undefined, type: string) => status?.conditions?.find((c) => c.type === type);

// The operator runs outside the cluster as the chart runs it, under the chart's ServiceAccount and rules (operator-harness.ts).
beforeAll(async () => {
  harness = await startCountingJobHarness(NAMESPACE, BUCKET);
  cluster = harness.cluster;
}, 180_000);

afterAll(() => harness?.stop(), 90_000);

/** The exactly-once counting job in savepoint mode, whose checkpoints time out after 15 s. */
function countingJob(name: string, output: string, count: number, rate: number, spec: Record<string, unknown> = {}) {
  const job = countingJobManifest(cluster, { name, output, count, rate, bucket: BUCKET, spec });
  return { ...job, spec: { ...job.spec, job: { ...job.spec.job, upgradeMode: 'savepoint' }, checkpointing: { ...job.spec.checkpointing, timeout: '15s' } } };
}

describe('restart strategies and savepoint upgrades', () => {
  it('runs the StreamJob\'s restart strategy unchanged, and an upgrade whose JobManager pod is deleted during its stop-with-savepoint commits exactly the expected output', async () => {
    // 50 s of input: the upgrade first runs its check (a plan pod) while run 1 goes on, and run 1 must still be running when the stop is requested.
    const COUNT = 1000;
    const output = outputDirectory(cluster, 'upgrade');
    const restartStrategy = { type: 'fixed-delay', attempts: 50, delay: '300ms' };
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(countingJob('upgrade', output, COUNT, 20, { restartStrategy })));
    const uid = (await sj('upgrade')).metadata.uid;
    await eventually('run 1 Running with a checkpoint', async () => {
      const s = (await sj('upgrade')).status;
      return s?.phase === 'Running' && s.lastCheckpoint ? s : undefined;
    }, 150_000);

    // Item 4: the ConfigMap holds the spec's strategy as written, and the JobManager runs exactly it.
    const config = parse(JSON.parse(await cluster.kubectlOk(['get', 'configmap', 'upgrade-config', '-o', 'json'])).data['sluice.yaml']);
    expect(config.restartStrategy).toEqual(restartStrategy);
    expect(await jobManagerGet(cluster, 'upgrade', 1, `/jobs/${uid}-1/config`)).toEqual({ jid: `${uid}-1`, name: 'upgrade', restartStrategy });

    // Item 5: a spec change in savepoint mode; the JobManager pod is deleted once the stop is requested.
    await cluster.kubectlOk(['patch', 'sj', 'upgrade', '--type=merge', '-p', JSON.stringify({ spec: { configuration: { 'heartbeat.timeout': '6s' } } })]);
    const inFlight = await eventually('the stop-with-savepoint requested', async () => {
      const upgrade = (await sj('upgrade')).status?.upgrade;
      return upgrade?.savepointTriggerId !== undefined ? upgrade : undefined;
    }, 120_000);
    await cluster.kubectlOk(['delete', 'pod', 'upgrade-jobmanager', '--wait=false']);
    expect(inFlight.step).toBe('Stopping');
    const finished = await eventually('run 2 Finished', async () => {
      const s = (await sj('upgrade')).status;
      return s?.run?.number === 2 && s.phase === 'Finished' ? s : undefined;
    }, 240_000);
    expect(finished.run.restoreFromRun).toBe(`${uid}-1`);
    expect(committedLines(join(output, 'main'))).toEqual(expectedLines(COUNT));
  }, 420_000);
});

describe('failures the user must see', () => {
  it('is Degraded with CreateContainerConfigError and the kubelet\'s message while a pod cannot configure its container, and no longer once it can', async () => {
    const job = countingJob('broken', outputDirectory(cluster, 'broken'), 100, 10, {
      jobManager: { podTemplate: { spec: { containers: [{ name: 'jobmanager', env: [{ name: 'EXTRA', valueFrom: { configMapKeyRef: { name: 'extra', key: 'value' } } }] }] } } },
    });
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(job));
    const degraded = await eventually('Degraded', async () => {
      const c = condition((await sj('broken')).status, 'Degraded');
      return c?.status === 'True' ? c : undefined;
    }, 90_000);
    expect(degraded).toMatchObject({ reason: 'CreateContainerConfigError', message: 'pod broken-jobmanager container jobmanager: CreateContainerConfigError: configmap "extra" not found' });
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=broken,involvedObject.kind=StreamJob,type=Warning', '-o', 'jsonpath={.items[*].reason}']);
    expect(events.split(' ')).toContain('CreateContainerConfigError');
    // Issue 15 item 7: Argo CD's health check and kstatus (Flux) say so too.
    const message = 'pod broken-jobmanager container jobmanager: CreateContainerConfigError: configmap "extra" not found';
    const { argocd, kstatus } = await captureGitOpsHealth(cluster, 'broken');
    expect({ argocd, kstatus }).toEqual({ argocd: { status: 'Degraded', message }, kstatus: { status: 'Failed', message } });
    await cluster.kubectlOk(['create', 'configmap', 'extra', '--from-literal=value=1']);
    const healed = await eventually('Degraded lifted', async () => {
      const c = condition((await sj('broken')).status, 'Degraded');
      return c?.status === 'False' ? c : undefined;
    }, 90_000);
    expect(healed.reason).toBe('SpecValid');
  }, 240_000);
});
