import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { E2eCluster } from '../support/cluster.ts';
import { committedLines, countingJobManifest, outputDirectory } from '../support/stream-job-runs.ts';
import { expectedLines } from './fixtures/exactly-once-counting-job.ts';
import { startCountingJobHarness, type CountingJobHarness } from './operator-harness.ts';
import { waitFor } from '../../support/processes.ts';

// Issue 15 item 5 on the real control plane with the process kubelet and MinIO, the operator run as
// the chart runs it: the exactly-once counting job upgraded (savepoint mode) to a spec whose sink
// directory cannot be created (a path below the pods' configuration file), so its tasks fail at every
// start and it restarts forever, though its job graph is sound; with rollback enabled the operator
// redeploys the last stable spec from the upgrade's savepoint, says RolledBack, holds the failed spec
// when it is set again, and rolls out the next different spec. The committed output is exactly the
// expected output: nothing lost or counted twice across the failed upgrade and the rollback.
const NAMESPACE = 'e2e-rollback';
const BUCKET = 'e2e-rollback';
const NAME = 'rollback';
const COUNT = 1000;
const ARGS = ['/output/main', String(COUNT), '20'];
const FAILING_ARGS = ['/etc/sluice/config/sluice.yaml/main', String(COUNT), '20'];
let harness: CountingJobHarness;
let cluster: E2eCluster;

type Condition = { type: string; status: string; reason: string; message: string };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sj = async () => cluster.api.get<{ metadata: { generation: number }; status?: any }>(`/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/${NAME}`);
const condition = (status: { conditions?: Condition[] } | undefined, type: string) => status?.conditions?.find((c) => c.type === type);
const patchJob = (job: Record<string, unknown>) => cluster.kubectlOk(['patch', 'sj', NAME, '--type=merge', '-p', JSON.stringify({ spec: { job } })]);
/** Polls the StreamJob's status until `accept` holds; a timeout names the status last seen. */
async function statusWhere(what: string, accept: (status: any) => boolean, timeoutMs: number) { // eslint-disable-line @typescript-eslint/no-explicit-any
  let last: unknown;
  return waitFor(() => `${what}; status last seen: ${JSON.stringify(last)}`, async () => {
    last = (await sj()).status;
    return accept(last) ? (last as any) : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  }, timeoutMs, 250);
}
/** The job arguments the run's ConfigMap gives the pods. */
const configuredArgs = async () => (parse(await cluster.kubectlOk(['get', 'configmap', `${NAME}-config`, '-o', 'jsonpath={.data.sluice\\.yaml}'])) as { job: { args: string[] } }).job.args;

beforeAll(async () => {
  harness = await startCountingJobHarness(NAMESPACE, BUCKET);
  cluster = harness.cluster;
}, 180_000);

afterAll(() => harness?.stop(), 90_000);

describe('rollback of a failed upgrade', () => {
  it('rolls an upgrade that never becomes stable back to the last stable spec from its savepoint, holds the failed spec, rolls out the next one, and commits exactly the expected output', async () => {
    const output = outputDirectory(cluster, NAME);
    const manifest = countingJobManifest(cluster, { name: NAME, output, count: COUNT, rate: 20, bucket: BUCKET });
    const job = { ...manifest, spec: { ...manifest.spec, job: { ...manifest.spec.job, upgradeMode: 'savepoint', rollback: { enabled: true, timeout: '15s' } } } };
    await cluster.kubectlOk(['apply', '-f', '-'], stringify(job));
    const stable = await statusWhere('run 1 stable: Running with a checkpoint, recorded as the last stable spec', (s) => s?.run?.number === 1 && s.phase === 'Running' && s.lastStableSpec?.run === 1, 150_000);
    expect(JSON.parse(stable.lastStableSpec.spec).job).toMatchObject({ args: ARGS, rollback: { enabled: true, timeout: '15s' } });
    expect(stable.lastStableSpec.specHash).toBe(stable.run.specHash);

    // The upgrade: stopped with a savepoint, run 2 deployed from it, failing and restarting.
    await patchJob({ args: FAILING_ARGS });
    const rolledBack = await statusWhere('the upgrade rolled back: run 3 of the stable spec RolledBack', (s) => s?.run?.number === 3 && s.phase === 'RolledBack' && s.jobState === 'RUNNING', 150_000);
    const savepoint = rolledBack.savepoints.last;
    expect(savepoint.trigger).toBe('upgrade');
    expect(rolledBack.rollback).toMatchObject({ state: 'RolledBack', failedRun: 2, specHash: stable.run.specHash });
    const failedSpecHash = rolledBack.rollback.failedSpecHash as string;
    expect(failedSpecHash).not.toBe(stable.run.specHash);
    expect(rolledBack.rollback.reason).toMatch(/^run 2 \(spec [0-9a-f]{16}\) was not Running with a completed checkpoint within 15s: /);
    // Run 3 is the stable spec, from the savepoint taken before the upgrade (run 2 checkpointed nothing).
    expect(rolledBack.run).toMatchObject({ specHash: stable.run.specHash, restorePath: savepoint.path, restoreFromRun: `${rolledBack.jobId.replace(/-3$/, '-2')}` });
    expect(JSON.parse(rolledBack.run.spec).job.args).toEqual(ARGS);
    expect(await configuredArgs()).toEqual(ARGS);
    expect(condition(rolledBack, 'Degraded')).toMatchObject({ status: 'True', reason: 'RolledBack' });
    expect(condition(rolledBack, 'Stalled')).toMatchObject({ status: 'True', reason: 'RolledBack' });
    const events = JSON.parse(await cluster.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${NAME},involvedObject.kind=StreamJob,type=Warning`, '-o', 'json'])) as { items: { reason: string; message: string }[] };
    const reasons = events.items.map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['RollingBack', 'RolledBack']));
    expect(events.items.find((e) => e.reason === 'RolledBack')!.message).toContain(`Run 3 of the last stable spec ${stable.run.specHash} deployed from ${savepoint.path}`);

    // The failed spec set again (only its upgradeMode differs, which is not part of the spec hash): held.
    await patchJob({ args: FAILING_ARGS, upgradeMode: 'last-state' });
    const generation = (await sj()).metadata.generation;
    const held = await statusWhere('the operator saw the failed spec again', (s) => s?.observedGeneration === generation, 30_000);
    expect(held).toMatchObject({ phase: 'RolledBack', run: { number: 3 }, rollback: { failedSpecHash } });
    expect(held.upgrade).toBeUndefined();

    // A different spec: the sink's directory at another rate (the output does not depend on it) is
    // rolled out, with a timeout that a loaded machine does not miss (rollback is outside the spec hash).
    await patchJob({ args: ['/output/main', String(COUNT), '25'], rollback: { enabled: true, timeout: '5m' } });
    const upgraded = await statusWhere('run 4 of the new spec stable', (s) => s?.run?.number === 4 && s.phase === 'Running' && s.lastStableSpec?.run === 4, 150_000);
    expect(upgraded.rollback).toBeUndefined();
    expect(upgraded.run.spec).toBeUndefined();
    expect(condition(upgraded, 'Degraded')).toMatchObject({ status: 'False' });
    expect(await configuredArgs()).toEqual(['/output/main', String(COUNT), '25']);

    await statusWhere('run 4 Finished', (s) => s?.run?.number === 4 && s.phase === 'Finished', 150_000);
    expect(committedLines(join(output, 'main'))).toEqual(expectedLines(COUNT));
  }, 600_000);
});
