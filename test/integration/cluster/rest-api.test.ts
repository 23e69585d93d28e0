import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JobDetails } from '../../../runtime/rest/rest-types.ts';
import { waitForLog } from '../../support/processes.ts';
import { Cluster } from './cluster-fixture.ts';
import { authHeaders } from '../../support/run-key.ts';

describe('JobManager REST API on a running job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-rest-'));
  const cluster = new Cluster({ entry: 'test/integration/cluster/jobs/windows-file.ts', args: [dir, '1000000', '2000'], parallelism: 2, taskManagers: 2 });
  const request = (method: string, path: string) => fetch(`http://127.0.0.1:${cluster.restPort}${path}`, { method, headers: authHeaders() });

  beforeAll(async () => {
    await cluster.start();
    await cluster.waitForDetails(
      'all subtasks running and reporting',
      (d) => d.state === 'RUNNING' && d.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING')) && d.vertices[0]!.subtasks.every((s) => s.recordsOut > 0),
    );
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves health, the job overview, details and Prometheus metrics', async () => {
    expect(await cluster.get('/healthz')).toEqual({ status: 'ok' });
    expect(await cluster.get('/jobs')).toEqual({ jobs: [{ id: 'test-job', status: 'RUNNING' }] });
    const d = await cluster.get<JobDetails>('/jobs/test-job');
    expect(d).toMatchObject({ jid: 'test-job', name: 'test-job', state: 'RUNNING', endTime: null, restarts: 0, attempt: 1, parallelism: 2 });
    expect(d.taskManagers).toEqual({ registered: 2, slotsTotal: 2, slotsFree: 0 });
    expect(d.vertices.map((v) => [v.name, v.parallelism, v.subtasks.map((s) => s.taskManagerId)])).toEqual([
      ['Numbers', 2, ['tm-0', 'tm-1']],
      ['Window(Process) -> Sink', 2, ['tm-0', 'tm-1']],
    ]);
    const metrics = await (await request('GET', '/metrics')).text();
    expect(metrics).toContain('sluice_job_state{state="RUNNING",job_id="test-job"} 1');
    expect(metrics).toContain('sluice_taskmanagers_registered{job_id="test-job"} 2');
    expect(metrics).toMatch(/^sluice_subtask_records_out\{vertex="[0-9a-f]+",vertex_name="Numbers",subtask="0",job_id="test-job"\} \d+$/m);
  });

  it('answers unknown jobs, routes and modes with 4xx and an ErrorResponse', async () => {
    const unknown = await request('GET', '/jobs/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ errors: ['job "nope" not found; this JobManager runs job "test-job"'] });
    const route = await request('GET', '/nowhere');
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({ errors: ['no route GET /nowhere'] });
    const mode = await request('PATCH', '/jobs/test-job?mode=stop');
    expect(mode.status).toBe(400);
    expect(await mode.json()).toEqual({ errors: ['unsupported mode "stop"; expected "cancel"'] });
    const savepoint = await request('POST', '/jobs/test-job/savepoints');
    expect(savepoint.status).toBe(409);
    expect(await savepoint.json()).toEqual({ errors: ['job "test-job" has no checkpoint storage configured for savepoints'] });
    const dispose = (body: unknown) =>
      fetch(`http://127.0.0.1:${cluster.restPort}/savepoint-disposal`, { method: 'POST', headers: { ...authHeaders(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const disposals = [];
    for (const body of [{}, { savepointPath: 42 }, { savepointPath: join(process.cwd(), 'checkpoints/default/test-job/savepoints/sp-1') }]) {
      const response = await dispose(body);
      disposals.push([response.status, await response.json()]);
    }
    expect(disposals).toEqual([
      [400, { errors: ['savepointPath must be a non-empty string'] }],
      [400, { errors: ['savepointPath must be a non-empty string'] }],
      [409, { errors: ['job "test-job" has no checkpoint storage configured'] }],
    ]);
    const unknownDisposal = await request('GET', '/savepoint-disposal/t-1');
    expect([unknownDisposal.status, await unknownDisposal.json()]).toEqual([404, { errors: ['no savepoint disposal with trigger id "t-1"'] }]);
  });

  it('answers every path but /healthz with 401 and no detail unless the bearer token of the run key comes with it', async () => {
    const base = `http://127.0.0.1:${cluster.restPort}`;
    const wrongKey = Buffer.alloc(32, 7);
    for (const headers of [{}, { authorization: 'Bearer nope' }, authHeaders(wrongKey), { authorization: authHeaders().authorization!.replace('Bearer ', 'Basic ') }]) {
      for (const [method, path] of [['GET', '/jobs'], ['GET', '/jobs/test-job'], ['GET', '/metrics'], ['PATCH', '/jobs/test-job?mode=cancel'], ['POST', '/jobs/test-job/savepoints'], ['POST', '/savepoint-disposal'], ['GET', '/savepoint-disposal/t-1'], ['GET', '/nowhere']] as const) {
        const response = await fetch(`${base}${path}`, { method, headers });
        expect([method, path, response.status, await response.json()]).toEqual([method, path, 401, { errors: ['unauthorized'] }]);
      }
    }
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect((await cluster.details()).state).toBe('RUNNING');
  });

  it('refuses a savepoint target outside the configured checkpoint storage with 400 and the reason', async () => {
    const post = (targetDirectory: unknown) =>
      fetch(`http://127.0.0.1:${cluster.restPort}/jobs/test-job/savepoints`, {
        method: 'POST',
        headers: { ...authHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify({ targetDirectory }),
      });
    const storage = join(process.cwd(), 'checkpoints');
    const answers = [];
    for (const target of ['/tmp/elsewhere', `${storage}/../escape`, 's3://other-bucket/sp', 42]) {
      const response = await post(target);
      answers.push([response.status, await response.json()]);
    }
    expect(answers).toEqual([
      [400, { errors: [`savepoint target refused: "/tmp/elsewhere" is not below the configured checkpoint directory ${storage}; savepoints go only under the job's checkpoint storage`] }],
      [400, { errors: [`savepoint target refused: "${storage}/../escape" is not below the configured checkpoint directory ${storage}; savepoints go only under the job's checkpoint storage`] }],
      [400, { errors: [`savepoint target refused: "s3://other-bucket/sp" is in S3, but the configured checkpoint storage is a filesystem directory; savepoints go only under the job's checkpoint storage`] }],
      [400, { errors: ['targetDirectory must be a string'] }],
    ]);
    // Inside the storage, the request gets as far as the job: this one has no checkpointing configured.
    const inside = await post(join(storage, 'savepoints'));
    expect([inside.status, await inside.json()]).toEqual([409, { errors: ['job "test-job" has no checkpoint storage configured for savepoints'] }]);
  });

  it('cancels the job: CANCELED, and the TaskManagers cancel their subtasks', async () => {
    const response = await request('PATCH', '/jobs/test-job?mode=cancel');
    expect(response.status).toBe(202);
    const d = await cluster.waitForState('CANCELED', 5000);
    expect(d.endTime).not.toBeNull();
    expect(d.vertices.flatMap((v) => v.subtasks.map((s) => s.status))).toEqual(['CANCELED', 'CANCELED', 'CANCELED', 'CANCELED']);
    for (const tm of cluster.taskManagers) await waitForLog(tm, (e) => e.msg === 'cancelling subtasks' && e.tasks === 2);
  });
});
