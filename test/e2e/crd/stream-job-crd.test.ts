import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateStreamJob } from '../../../operator/api/stream-job-validation.ts';
import { root, useCluster, type E2eCluster } from '../support/cluster.ts';
import { applyStreamJobCrd } from '../support/stream-job-crd.ts';

// The generated CRD and the example manifest, applied with the real kubectl to the real API server.
// No operator watches this file's namespace, so the StreamJobs here are only stored and served.
const NAMESPACE = 'e2e-crd';
let cluster: E2eCluster;

const kubectl = (args: string[], stdin?: string) => cluster.kubectl(args, stdin);
const ok = (args: string[], stdin?: string) => cluster.kubectlOk(args, stdin);

async function refused(manifest: string, ...flags: string[]): Promise<string[]> {
  const result = await kubectl(['apply', '-f', '-', ...flags], manifest);
  expect(result.code).toBe(1);
  // The API server reports a schema's errors in no fixed order (it walks properties in Go map order).
  const [first, ...errors] = result.stderr.trim().split('\n');
  return [first!, ...errors.sort()];
}

/** A `kubectl get` table with the AGE column's changing values replaced. */
function table(stdout: string): string[] {
  return stdout.trim().split('\n').map((line) => line.replace(/\s+/g, ' ').replace(/ \d+s( |$)/, ' <age>$1'));
}

function streamJob(name: string, spec: string): string {
  return `apiVersion: sluice.dev/v1alpha1\nkind: StreamJob\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

const exampleText = readFileSync(join(root, 'examples/wordcount.yaml'), 'utf8');

beforeAll(async () => {
  cluster = await useCluster(NAMESPACE);
  await applyStreamJobCrd(cluster);
});

afterAll(() => cluster?.release());

describe('the StreamJob CRD on the real API server', () => {
  it('takes the example, and returns it with exactly the defaults the schema declares', async () => {
    expect(await ok(['apply', '-f', '-'], exampleText)).toBe('streamjob.sluice.dev/wordcount created\n');
    const stored = JSON.parse(await ok(['get', 'sj', 'wordcount', '-o', 'json']));
    const example = parseAllDocuments(exampleText).map((d) => d.toJS()).find((d) => d.kind === 'StreamJob');
    const expected = validateStreamJob(example);
    expect(expected.valid && stored.spec).toEqual(expected.valid && expected.streamJob.spec);
    expect(stored.spec.job).toMatchObject({ maxParallelism: 128, state: 'running', savepointTriggerNonce: 0, restartNonce: 0 });
    expect(stored.spec.checkpointing).toMatchObject({ timeout: '1m', mode: 'exactly-once' });
  });

  it('refuses invalid StreamJobs, and kubectl names every field', async () => {
    const bad = streamJob('bad', [
      '  image: x',
      '  job: { entry: a.ts, parallelism: 0, state: paused }',
      '  taskManager: { replicas: -1, slots: 0 }',
      '  checkpointing: { interval: 10 seconds, retained: 0, storage: {} }',
      '  restartStrategy: { type: fixed }',
    ].join('\n'));
    expect(await refused(bad)).toEqual([
      'The StreamJob "bad" is invalid: ',
      '* <nil>: Invalid value: "": "spec.checkpointing.storage" must validate one and only one schema (oneOf). Found none valid',
      // the CEL rules of the durations (their maximum) run only on an object that passes the rest
      '* <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      `* spec.checkpointing.interval: Invalid value: "10 seconds": spec.checkpointing.interval in body should match '^[0-9]+(ms|s|m|h)$'`,
      '* spec.checkpointing.retained: Invalid value: 0: spec.checkpointing.retained in body should be greater than or equal to 1',
      '* spec.checkpointing.storage.s3: Required value',
      '* spec.job.parallelism: Invalid value: 0: spec.job.parallelism in body should be greater than or equal to 1',
      '* spec.job.state: Unsupported value: "paused": supported values: "running", "suspended"',
      '* spec.restartStrategy.type: Unsupported value: "fixed": supported values: "none", "fixed-delay", "exponential-delay", "failure-rate"',
      '* spec.taskManager.replicas: Invalid value: -1: spec.taskManager.replicas in body should be greater than or equal to 0',
      '* spec.taskManager.slots: Invalid value: 0: spec.taskManager.slots in body should be greater than or equal to 1',
    ]);
    const noImage = streamJob('noimage', '  job: { entry: a.ts, maxParallelism: 40000 }\n  jobManager: { resources: { cpu: lots } }\n  checkpointing: { storage: { s3: { bucket: abc } } }');
    expect(await refused(noImage)).toEqual([
      'The StreamJob "noimage" is invalid: ',
      '* <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      '* spec.image: Required value',
      `* spec.job.maxParallelism: Invalid value: 40000: spec.job.maxParallelism in body should be less than or equal to 32768`,
      `* spec.jobManager.resources.cpu: Invalid value: "lots": spec.jobManager.resources.cpu in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'`,
    ]);
    expect(await ok(['get', 'sj', '-o', 'name'])).toBe('streamjob.sluice.dev/wordcount\n');
  });

  it('caps counts at 32768 and durations at 576h (Node timers overflow past 2^31-1 ms), on the real API server', async () => {
    const big = streamJob('big', [
      '  image: x',
      '  job: { entry: a.ts, parallelism: 32769 }',
      '  taskManager: { replicas: 1000000, slots: 32769 }',
      '  checkpointing: { interval: 577h, timeout: 2073600001ms, storage: { s3: { bucket: abc } } }',
      '  restartStrategy: { type: fixed-delay, delay: 99999999999999999999h }',
    ].join('\n'));
    expect(await refused(big)).toEqual([
      'The StreamJob "big" is invalid: ',
      '* spec.checkpointing.interval: Invalid value: "577h": must be at most 576h (24 days)',
      '* spec.checkpointing.timeout: Invalid value: "2073600001ms": must be at most 576h (24 days)',
      '* spec.job.parallelism: Invalid value: 32769: spec.job.parallelism in body should be less than or equal to 32768',
      // beyond what Go's durations hold: refused all the same
      `* spec.restartStrategy.delay: Invalid value: "string": type conversion error from 'string' to 'google.protobuf.Duration' evaluating rule: must be at most 576h (24 days)`,
      '* spec.taskManager.replicas: Invalid value: 1000000: spec.taskManager.replicas in body should be less than or equal to 32768',
      '* spec.taskManager.slots: Invalid value: 32769: spec.taskManager.slots in body should be less than or equal to 32768',
    ]);
    const longest = streamJob('longest', [
      '  image: x',
      '  taskManager: { replicas: 0, slots: 32768 }',
      '  checkpointing: { interval: 576h, timeout: 34560m, storage: { s3: { bucket: abc } } }',
      '  job: { entry: a.ts, parallelism: 32768, maxParallelism: 32768, state: suspended }',
    ].join('\n'));
    expect(await ok(['apply', '--dry-run=server', '-f', '-'], longest)).toBe('streamjob.sluice.dev/longest created (server dry run)\n');
  });

  it("refuses unknown fields under kubectl's strict validation and prunes them without it", async () => {
    const unknown = streamJob('pruned', [
      '  image: x',
      '  surprise: 1',
      '  job: { entry: a.ts, paralelism: 4 }',
      '  taskManager: { podTemplate: { spec: { containers: [ { name: side, image: busybox } ] } } }',
      '  checkpointing: { storage: { filesystem: { path: /data } } }',
    ].join('\n'));
    expect(await refused(unknown)).toEqual([
      'Error from server (BadRequest): error when creating "STDIN": StreamJob in version "v1alpha1" cannot be handled as a StreamJob: strict decoding error: unknown field "spec.job.paralelism", unknown field "spec.surprise"',
    ]);
    expect(await ok(['apply', '-f', '-', '--validate=false'], unknown)).toBe('streamjob.sluice.dev/pruned created\n');
    const spec = JSON.parse(await ok(['get', 'sj', 'pruned', '-o', 'jsonpath={.spec}']));
    expect(spec).not.toHaveProperty('surprise');
    expect(spec.job).toEqual({
      entry: 'a.ts', parallelism: 1, maxParallelism: 128, state: 'running', upgradeMode: 'last-state',
      allowNonRestoredState: false, savepointTriggerNonce: 0, restartNonce: 0,
      savepoints: { history: { maxCount: 10 } },
      healthCheck: { restarts: { enabled: false, threshold: 64, window: '2m' }, checkpointProgress: { enabled: true }, redeployBackoff: { initial: '1m', max: '30m' } },
      rollback: { enabled: false, timeout: '5m' },
    });
    // No replicas default: TaskManager pods follow the parallelism unless replicas is set.
    expect(spec.taskManager).toEqual({ slots: 1, podTemplate: { spec: { containers: [{ name: 'side', image: 'busybox' }] } } });
    await ok(['delete', 'sj', 'pruned']);
  });

  it('shows phase, parallelism, last checkpoint and restarts in kubectl get, and job id and TaskManagers with -o wide', async () => {
    expect(table(await ok(['get', 'sj']))).toEqual(['NAME PHASE PARALLELISM LAST CHECKPOINT RESTARTS AGE', 'wordcount 2 <age>']);
    const status = {
      phase: 'Running',
      jobId: '4f8e-1',
      parallelism: 2,
      restarts: 2,
      lastCheckpoint: { id: 7, path: 's3://checkpoints/sluice/default/wordcount/4f8e-1/checkpoints/chk-7', time: '2026-11-25T14:00:00Z' },
      taskManagers: { desired: 2, ready: 2, selector: 'sluice.dev/job=wordcount,sluice.dev/component=taskmanager' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'JobRunning', message: 'The job runs and every pod is ready.', lastTransitionTime: '2026-11-25T14:00:00Z' }],
    };
    expect(await ok(['patch', 'sj', 'wordcount', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })])).toBe(
      'streamjob.sluice.dev/wordcount patched\n',
    );
    expect(table(await ok(['get', 'sj']))).toEqual(['NAME PHASE PARALLELISM LAST CHECKPOINT RESTARTS AGE', 'wordcount Running 2 7 2 <age>']);
    expect(table(await ok(['get', 'sj', '-o', 'wide']))).toEqual([
      'NAME PHASE PARALLELISM LAST CHECKPOINT RESTARTS AGE JOB ID TASKMANAGERS',
      'wordcount Running 2 7 2 <age> 4f8e-1 2',
    ]);
    expect(await ok(['wait', '--for=condition=Ready', 'sj/wordcount', '--timeout=5s'])).toBe('streamjob.sluice.dev/wordcount condition met\n');
    expect(await ok(['get', 'all', '-o', 'name'])).toContain('streamjob.sluice.dev/wordcount\n');
  });

  it('scales the job\'s parallelism through the scale subresource, with the running parallelism and the TaskManagers\' selector as its status', async () => {
    expect(await ok(['scale', 'sj', 'wordcount', '--replicas=3'])).toBe('streamjob.sluice.dev/wordcount scaled\n');
    expect(await ok(['get', 'sj', 'wordcount', '-o', 'jsonpath={.spec.job.parallelism}'])).toBe('3');
    const scale = JSON.parse(await ok(['get', '--raw', `/apis/sluice.dev/v1alpha1/namespaces/${NAMESPACE}/streamjobs/wordcount/scale`]));
    expect([scale.spec, scale.status]).toEqual([{ replicas: 3 }, { replicas: 2, selector: 'sluice.dev/job=wordcount,sluice.dev/component=taskmanager' }]);
  });

  it('explains its fields from the schema', async () => {
    const explained = await ok(['explain', 'sj.spec.job.upgradeMode']);
    expect(explained).toContain('FIELD: upgradeMode <string>\nENUM:\n    stateless\n    last-state\n    savepoint\n');
  });
});
