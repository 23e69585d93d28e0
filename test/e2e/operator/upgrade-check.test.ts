import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { committedLines, countingJobManifest, outputDirectory } from '../support/stream-job-runs.ts';
import { KEYS } from './fixtures/exactly-once-counting-job.ts';
import { startCountingJobHarness, type CountingJobHarness } from './operator-harness.ts';
import { waitFor } from '../../support/processes.ts';

// Issue 15 item 6 on the real control plane with the process kubelet and MinIO, the operator run as
// the chart runs it: the exactly-once counting job (parallelism 1, last-state) upgraded to a spec that
// renames its stateful counts (uid "counts" -> "totals"). The plan pod refuses it, naming the uid in
// UpgradeSafe, and the old run keeps running and checkpointing; the same change with
// allowNonRestoredState proceeds, and the new run restores the source's position without the counts.
// The committed output is exactly that: every record once, counted from 1 again from the restored position on.
const NAMESPACE = 'e2e-upgrade-check';
const BUCKET = 'e2e-upgrade-check';
const NAME = 'upgrade-check';
const COUNT = 2000;
const RATE = 25;
let harness: CountingJobHarness;
let cluster: E2eCluster;

type Condition = { type: string; status: string; reason: string; message: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Status = any;
const sj = async () => cluster.api.get<{ metadata: { generation: number }; status?: Status }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${NAME}`);
const condition = (status: { conditions?: Condition[] } | undefined, type: string) => status?.conditions?.find((c) => c.type === type);
const patchJob = (job: Record<string, unknown>) => cluster.kubectlOk(['patch', 'sj', NAME, '--type=merge', '-p', JSON.stringify({ spec: { job } })]);
async function statusWhere(what: string, accept: (status: Status) => boolean, timeoutMs: number): Promise<Status> {
  let last: unknown;
  return waitFor(() => `${what}; status last seen: ${JSON.stringify(last)}`, async () => {
    last = (await sj()).status;
    return accept(last) ? last : undefined;
  }, timeoutMs, 250);
}
const warnings = async () =>
  (JSON.parse(await cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${NAME},involvedObject.kind=StreamJob,type=Warning`, '-o', 'json'])) as { items: { reason: string; message: string }[] }).items;

beforeAll(async () => {
  harness = await startCountingJobHarness(NAMESPACE, BUCKET);
  cluster = harness.cluster;
}, 180_000);

afterAll(() => harness?.stop(), 90_000);

describe('the upgrade check (UpgradeSafe)', () => {
  it('refuses a renamed stateful uid with the uid named while the old run keeps running; with allowNonRestoredState the change proceeds without that state', async () => {
    const output = outputDirectory(cluster, NAME);
    const manifest = countingJobManifest(cluster, { name: NAME, output, count: COUNT, rate: RATE, bucket: BUCKET });
    const args = ['/output/main', String(COUNT), String(RATE)];
    await cluster.kubectlOk(['apply', '-f', '-'], stringify({ ...manifest, spec: { ...manifest.spec, job: { ...manifest.spec.job, parallelism: 1 } } }));
    await statusWhere('run 1 Running with a completed checkpoint', (s) => s?.run?.number === 1 && s.jobState === 'RUNNING' && s.lastCheckpoint !== undefined, 150_000);

    await patchJob({ args: [...args, 'totals'] });
    const refused = await statusWhere('the upgrade check refused the spec', (s) => s?.upgradeCheck?.state === 'Unsafe', 90_000);
    const restorePoint = refused.upgradeCheck.restorePoint as string;
    expect(restorePoint).toMatch(new RegExp(`^s3://${BUCKET}/${NAME}/${NAMESPACE}/${NAME}/[0-9a-f-]+-1/checkpoints/chk-\\d+$`));
    const message = `operator uid "counts" has state in ${restorePoint} but no operator of the new job has that uid`;
    expect(refused.upgradeCheck).toMatchObject({ message, problems: [{ kind: 'state-dropped', uid: 'counts' }] });
    expect(condition(refused, 'UpgradeSafe')).toMatchObject({ status: 'False', reason: 'StateDropped', message });
    expect(condition(refused, 'Degraded')).toMatchObject({ status: 'True', reason: 'UpgradeUnsafe' });
    expect(refused.upgrade).toBeUndefined();
    expect((await warnings()).filter((e) => e.reason === 'UpgradeUnsafe').map((e) => e.message)).toEqual([
      `The upgrade to spec ${refused.upgradeCheck.specHash} is not carried out and the old run keeps running: it is unsafe: ${message}. Change the spec, or set spec.job.allowNonRestoredState to upgrade without state the new job has no operator for`,
    ]);
    // The old run goes on: same run, still RUNNING, checkpointing past the point the check compared with; the plan pod is gone.
    const checkedAt = Number(restorePoint.split('chk-')[1]);
    const still = await statusWhere('run 1 checkpointing on', (s) => s?.lastCheckpoint?.id > checkedAt + 1, 30_000);
    expect(still).toMatchObject({ phase: 'Running', jobState: 'RUNNING', run: { number: 1 } });
    await waitFor('the plan pod deleted', async () => ((await cluster.kubectlOk(['get', 'pods', '-l', 'sluice.dev/component=plan', '-o', 'name'])).trim() === '' ? true : undefined), 30_000);

    await patchJob({ args: [...args, 'totals'], allowNonRestoredState: true });
    const upgraded = await statusWhere('run 2 RUNNING after the allowed upgrade', (s) => s?.run?.number === 2 && s.jobState === 'RUNNING', 150_000);
    expect(upgraded.upgradeCheck).toMatchObject({ state: 'Unsafe', problems: [{ kind: 'state-dropped', uid: 'counts' }] });
    expect(condition(upgraded, 'UpgradeSafe')).toMatchObject({ status: 'False', reason: 'StateDropped' });
    expect(condition(upgraded, 'UpgradeSafe')!.message).toMatch(/ \(allowNonRestoredState: upgrading without that state\)$/);
    expect((await warnings()).map((e) => e.reason)).toContain('NonRestoredState');

    await statusWhere('run 2 Finished', (s) => s?.run?.number === 2 && s.phase === 'Finished', 150_000);
    // Every record exactly once; counts as before up to the restored source position, from 1 again after it.
    const lines = committedLines(join(output, 'main')).map((l) => JSON.parse(l) as [number, number, number]);
    const restoredAt = Math.min(...lines.filter(([, c, n]) => c !== Math.floor(n / KEYS) + 1).map(([, , n]) => n));
    expect(restoredAt).toBeGreaterThan(KEYS);
    const fresh = new Array<number>(KEYS).fill(0);
    const expected = Array.from({ length: COUNT }, (_, n) => JSON.stringify([n % KEYS, n < restoredAt ? Math.floor(n / KEYS) + 1 : ++fresh[n % KEYS]!, n]));
    expect(lines.map((l) => JSON.stringify(l)).sort()).toEqual(expected.sort());
  }, 600_000);
});
