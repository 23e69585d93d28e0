import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import type { CheckpointingStatistics } from '../../../runtime/rest/rest-types.ts';
import type { E2eCluster } from '../support/cluster.ts';
import { countingJobManifest, jobManagerGet, outputDirectory } from '../support/stream-job-runs.ts';
import { eventually, startCountingJobHarness, type CountingJobHarness } from './operator-harness.ts';

// Issue 15 items 1 and 2 on the real control plane with the process kubelet and MinIO, the operator
// run as the chart runs it: periodic savepoints whose history policy disposes of the files through
// the JobManager, the checkpoint folders of older runs deleted once a new run checkpointed, and the
// deletion policy carried out by a cleanup pod when the StreamJob is deleted. Each step lists the
// bucket before and after.
const NAMESPACE = 'e2e-storage-lifecycle';
const BUCKET = 'e2e-storage-lifecycle';
const JOB = 'keeper';
let harness: CountingJobHarness;
let cluster: E2eCluster;

interface Savepoint { path: string; time: string; trigger: string }
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sj = async () => await cluster.api.get<{ metadata: { uid: string }; status?: any }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${JOB}`);

/** Every key of the job's storage (prefix `<job>/<namespace>/<job>/`), relative to it, sorted. */
async function bucket(): Promise<string[]> {
  const prefix = `${JOB}/${NAMESPACE}/${JOB}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await harness.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!.slice(prefix.length)));
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return keys.sort();
}

/** The top two levels of the listing: `savepoints/sp-<n>` and `<run>/checkpoints/chk-<n>` directories, sorted. */
const directories = (keys: readonly string[]) => [...new Set(keys.map((k) => k.split('/').slice(0, k.startsWith('savepoints/') ? 2 : 3).join('/')))].sort();
/** A storage URI's directory relative to the job's storage. */
const relative = (uri: string) => uri.slice(`s3://${BUCKET}/${JOB}/${NAMESPACE}/${JOB}/`.length).replace(/\/+$/, '');

beforeAll(async () => {
  harness = await startCountingJobHarness(NAMESPACE, BUCKET);
  cluster = harness.cluster;
}, 180_000);

afterAll(() => harness?.stop(), 90_000);

describe('savepoint history, checkpoints across runs and the deletion policy, in the bucket', () => {
  let uid: string;

  it('takes periodic savepoints and keeps exactly the newest 2 in the bucket, disposing of the others through the JobManager', async () => {
    // Runs far longer than the test: 20 records a second of 100,000.
    const job = countingJobManifest(cluster, { name: JOB, output: outputDirectory(cluster, JOB), count: 100_000, rate: 20, bucket: BUCKET });
    job.spec.job = { ...job.spec.job, upgradeMode: 'savepoint', savepoints: { interval: '2s', history: { maxCount: 2 } } } as typeof job.spec.job;
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(job));
    uid = (await sj()).metadata.uid;
    // Two savepoints disposed of: five taken, the first two gone from the status and from the bucket.
    const seen = new Set<string>();
    await eventually('five periodic savepoints taken, the older ones disposed of', async () => {
      const savepoints = (await sj()).status?.savepoints;
      for (const s of (savepoints?.history ?? []) as Savepoint[]) seen.add(s.path);
      return seen.size >= 5 ? true : undefined;
    }, 120_000);
    // No more periodic savepoints, so that the bucket holds still while it is compared with the status.
    await cluster.kubectlOk(['patch', 'sj', JOB, '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/job/savepoints/interval' }])]);
    const settled = await eventually('nothing left to dispose of', async () => {
      const status = (await sj()).status;
      for (const s of (status?.savepoints?.history ?? []) as Savepoint[]) seen.add(s.path);
      return status?.savepoints?.pending === undefined && status?.savepoints?.disposing === undefined ? status.savepoints : undefined;
    }, 60_000);
    const history = settled.history as Savepoint[];
    expect(history.map((s) => s.trigger)).toEqual(['periodic', 'periodic']);
    expect(settled.last).toEqual(history[0]);
    const savepointsInBucket = directories(await bucket()).filter((d) => d.startsWith('savepoints/'));
    expect(savepointsInBucket).toEqual(history.map((s) => relative(s.path)).sort());
    // Every savepoint taken that is not in the history is gone.
    expect([...seen].filter((p) => !history.some((s) => s.path === p)).map(relative).filter((d) => savepointsInBucket.includes(d))).toEqual([]);
    const events = JSON.parse(await cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${JOB},reason=SavepointDisposed`, '-o', 'json'])) as { items: { message: string }[] };
    expect(events.items.map((e) => e.message).sort()).toEqual(
      [...seen].filter((p) => !history.some((s) => s.path === p)).map((p) => `Savepoint ${p} disposed of (history policy)`).sort(),
    );
  }, 240_000);

  it('deletes the checkpoint folder of an older run once the new run completed a checkpoint, keeping the checkpoint a run restored from', async () => {
    // Run 2 by a savepoint upgrade: it starts from the upgrade's savepoint.
    await cluster.kubectlOk(['patch', 'sj', JOB, '--type=merge', '-p', JSON.stringify({ spec: { configuration: { 'heartbeat.timeout': '6s' } } })]);
    const run2 = await eventually('run 2 Running with a checkpoint of its own', async () => {
      const s = (await sj()).status;
      return s?.run?.number === 2 && s.phase === 'Running' && s.lastCheckpoint?.path.includes(`/${uid}-2/`) ? s : undefined;
    }, 120_000);
    expect(run2.savepoints.last.trigger).toBe('upgrade');
    expect(run2.run.restorePath).toBe(run2.savepoints.last.path);
    const runs = (keys: readonly string[]) => [...new Set(directories(keys).filter((d) => !d.startsWith('savepoints/')).map((d) => d.split('/')[0]))].sort();
    await eventually('run 1\'s folder gone', async () => (!runs(await bucket()).includes(`${uid}-1`) ? true : undefined), 30_000);
    expect(runs(await bucket())).toEqual([`${uid}-2`]);
    expect(directories(await bucket())).toContain(relative(run2.run.restorePath));

    // Run 3 by a last-state upgrade: it starts from a checkpoint of run 2, which stays when run 3 deletes run 2's other checkpoints.
    const before = directories(await bucket()).filter((d) => d.startsWith(`${uid}-2/`));
    expect(before.length).toBeGreaterThanOrEqual(2);
    await cluster.kubectlOk(['patch', 'sj', JOB, '--type=merge', '-p', JSON.stringify({ spec: { job: { upgradeMode: 'last-state' }, configuration: { 'heartbeat.timeout': '7s' } } })]);
    const run3 = await eventually('run 3 Running with a checkpoint of its own', async () => {
      const s = (await sj()).status;
      return s?.run?.number === 3 && s.phase === 'Running' && s.lastCheckpoint?.path.includes(`/${uid}-3/`) ? s : undefined;
    }, 120_000);
    const restored = (await jobManagerGet<CheckpointingStatistics>(cluster, JOB, 3, `/jobs/${uid}-3/checkpoints`)).latest.restored!.externalPath;
    expect(relative(restored)).toMatch(new RegExp(`^${uid}-2/checkpoints/chk-[0-9]+$`));
    const kept = [...new Set([relative(restored), ...(run3.run.restorePath ? [relative(run3.run.restorePath)] : [])])].sort();
    await eventually('run 2\'s other checkpoints gone', async () => {
      const left = directories(await bucket()).filter((d) => d.startsWith(`${uid}-2/`));
      return left.length === kept.length ? left : undefined;
    }, 30_000);
    expect(directories(await bucket()).filter((d) => d.startsWith(`${uid}-2/`))).toEqual(kept);
    expect(runs(await bucket())).toEqual([`${uid}-2`, `${uid}-3`]);
    // The savepoints are untouched by the runs' cleanup: the history's two, once the upgrade's savepoint pushed the oldest out.
    const history = await eventually('the history policy done', async () => {
      const savepoints = (await sj()).status.savepoints;
      return savepoints.disposing === undefined ? (savepoints.history as Savepoint[]) : undefined;
    }, 30_000);
    expect(history.map((s) => s.trigger)).toEqual(['upgrade', 'periodic']);
    expect(directories(await bucket()).filter((d) => d.startsWith('savepoints/'))).toEqual(history.map((s) => relative(s.path)).sort());
  }, 300_000);

  it('deleting the StreamJob deletes its checkpoints through a cleanup pod and keeps its savepoints (the default deletionPolicy)', async () => {
    const savepoints = ((await sj()).status.savepoints.history as Savepoint[]).map((s) => relative(s.path)).sort();
    expect(directories(await bucket()).some((d) => d.startsWith(`${uid}-`))).toBe(true);
    await cluster.kubectlOk(['delete', 'sj', JOB, '--wait=false']);
    await eventually('the StreamJob gone', async () => ((await cluster.kubectl(['get', 'sj', JOB])).code !== 0 ? true : undefined), 120_000);
    expect(directories(await bucket())).toEqual(savepoints);
    const events = JSON.parse(await cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${JOB},reason=StorageCleanedUp`, '-o', 'json'])) as { items: { message: string }[] };
    expect(events.items.map((e) => e.message)).toEqual([`Deleted from storage (checkpointing.deletionPolicy): ${uid}-`]);
  }, 180_000);
});
