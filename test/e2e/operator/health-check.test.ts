import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { committedLines, countingJobManifest, outputDirectory } from '../support/stream-job-runs.ts';
import { expectedLines } from './fixtures/exactly-once-counting-job.ts';
import { eventually, startCountingJobHarness, type CountingJobHarness } from './operator-harness.ts';

// Issue 15 item 4 on the real control plane with the process kubelet and MinIO, the operator run
// as the chart runs it: RESTARTS adds up over a run's JobManagers (TaskManagers SIGKILLed, then the
// JobManager pod deleted), and a job that restarts more often than its health check allows is
// redeployed from its newest verified checkpoint, with exactly the expected output in the end.
const NAMESPACE = 'e2e-health';
const BUCKET = 'e2e-health';
const NAME = 'restarts';
let harness: CountingJobHarness;
let cluster: E2eCluster;

type Condition = { type: string; status: string; reason: string; message: string };
const sj = async () => (await cluster.api.get<{ metadata: { uid: string }; status?: any }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${NAME}`)); // eslint-disable-line @typescript-eslint/no-explicit-any
const condition = (status: { conditions?: Condition[] } | undefined, type: string) => status?.conditions?.find((c) => c.type === type);

/** The RESTARTS column of `kubectl get sj`, as a user reads it (columns aligned; an empty one is blank). */
async function restartsColumn(): Promise<string> {
  const [header, row] = (await cluster.kubectlOk(['get', 'sj', NAME])).split('\n');
  const start = header!.indexOf('RESTARTS');
  const width = header!.slice(start).search(/ \S/);
  return row!.slice(start, width === -1 ? undefined : start + width).trim();
}

beforeAll(async () => {
  harness = await startCountingJobHarness(NAMESPACE, BUCKET);
  cluster = harness.cluster;
}, 180_000);

afterAll(() => harness?.stop(), 90_000);

describe('restart count and health check', () => {
  it('RESTARTS sums the run\'s JobManagers (4 TaskManager kills, then the JobManager pod deleted: 4); a fifth restart passes the threshold and the job is redeployed from its checkpoint, said in an event and Degraded; the output is exact', async () => {
    const COUNT = 2000;
    const output = outputDirectory(cluster, NAME);
    const job = countingJobManifest(cluster, {
      name: NAME,
      output,
      count: COUNT,
      rate: 20,
      bucket: BUCKET,
      spec: { restartStrategy: { type: 'fixed-delay', attempts: 50, delay: '300ms' } },
    });
    const manifest = { ...job, spec: { ...job.spec, job: { ...job.spec.job, healthCheck: { restarts: { enabled: true, threshold: 4, window: '10m' } } } } };
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(manifest));
    const uid = (await sj()).metadata.uid;
    const runningAgain = (restarts: number) => eventually(`Running with ${restarts} restarts`, async () => {
      const s = (await sj()).status;
      return s?.phase === 'Running' && s.jobState === 'RUNNING' && s.restarts === restarts ? s : undefined;
    }, 120_000);
    await eventually('run 1 Running with a checkpoint', async () => {
      const s = (await sj()).status;
      return s?.phase === 'Running' && s.lastCheckpoint ? s : undefined;
    }, 150_000);

    for (let kill = 1; kill <= 4; kill++) {
      expect(await cluster.killPod(`${NAME}-taskmanager-${kill % 2}`)).toBe(1);
      await runningAgain(kill);
    }
    const before = (await sj()).status.restartTally;
    expect(before).toMatchObject({ run: 1, jobManagerRestarts: 4, earlier: 0 });
    expect(await restartsColumn()).toBe('4');

    // A new JobManager counts from 0; the run has still restarted 4 times.
    await cluster.kubectlOk(['delete', 'pod', `${NAME}-jobmanager`, '--wait=false']);
    const replaced = await eventually('the new JobManager counted', async () => {
      const s = (await sj()).status;
      return s?.restartTally?.jobManagerStartTime !== before.jobManagerStartTime && s?.jobState === 'RUNNING' ? s : undefined;
    }, 120_000);
    expect(replaced.restartTally).toMatchObject({ run: 1, jobManagerRestarts: 0, earlier: 4 });
    expect(replaced.restarts).toBe(4);
    expect(await restartsColumn()).toBe('4');
    expect(replaced.run.number).toBe(1);

    // One restart more than the threshold of 4 within 10m: redeployed as run 2 from run 1's newest verified checkpoint.
    expect(await cluster.killPod(`${NAME}-taskmanager-0`)).toBe(1);
    const redeployed = await eventually('run 2', async () => {
      const s = (await sj()).status;
      return s?.run?.number === 2 ? s : undefined;
    }, 120_000);
    expect(redeployed.run.restoreFromRun).toBe(`${uid}-1`);
    const message = 'Redeploying from the newest verified checkpoint (redeploy 1 for health): The job restarted 5 times within 10m, more than healthCheck.restarts.threshold 4';
    expect(redeployed.health).toMatchObject({ redeploys: 1, lastRedeploy: { reason: 'TooManyRestarts', message } });
    expect(condition(redeployed, 'Degraded')).toMatchObject({ status: 'True', reason: 'TooManyRestarts', message });
    const events = JSON.parse(await cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${NAME},involvedObject.kind=StreamJob,reason=HealthRedeploy`, '-o', 'json'])) as { items: { type: string; message: string }[] };
    expect(events.items.map((e) => [e.type, e.message])).toEqual([['Warning', message]]);

    const finished = await eventually('run 2 Finished', async () => {
      const s = (await sj()).status;
      return s?.phase === 'Finished' ? s : undefined;
    }, 240_000);
    expect(finished.run.number).toBe(2);
    expect(finished.restarts).toBe(0);
    expect(committedLines(join(output, 'main'))).toEqual(expectedLines(COUNT));
  }, 600_000);
});
