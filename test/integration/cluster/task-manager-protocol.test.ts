import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RpcConnection } from '../../../runtime/rpc/rpc-connection.ts';
import type { RpcMessage, RpcMessageOf } from '../../../runtime/rpc/rpc-messages.ts';
import type { TaskDeploymentDescriptor } from '../../../runtime/task/task-deployment-descriptor.ts';
import { ProcessGroup, waitFor, waitForLog, type TrackedProcess } from '../../support/processes.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';

/**
 * A real TaskManager process against a JobManager played by the test over the real RPC protocol,
 * to send what a correct JobManager never sends: unknown vertices, stale sessions and attempts.
 */
describe('TaskManager RPC endpoint', () => {
  const group = new ProcessGroup();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tm-protocol-'));
  const received: RpcMessage[] = [];
  let server: Server;
  let jm: RpcConnection;
  let tm: TrackedProcess;
  let heartbeats: NodeJS.Timeout;

  const next = <K extends RpcMessage['type']>(type: K, match: (m: RpcMessageOf<K>) => boolean = () => true): Promise<RpcMessageOf<K>> =>
    waitFor(`a "${type}" message`, () => received.find((m): m is RpcMessageOf<K> => m.type === type && match(m as RpcMessageOf<K>)), 30_000, 20);

  const descriptor = (vertexId: string, attemptNumber: number): TaskDeploymentDescriptor => ({
    jobId: 'test-job',
    vertexId,
    subtaskIndex: 0,
    attemptNumber,
    parallelism: 1,
    maxParallelism: 128,
    keyGroupRange: { start: 0, end: 127 },
    inputs: [],
    outputs: [],
  });

  beforeAll(async () => {
    const connected = new Promise<RpcConnection>((ok) => {
      server = createServer((socket) => ok(new RpcConnection(socket, 'test TaskManager', { message: (m) => received.push(m), closed: () => undefined }, { side: 'jobmanager', runKey: TEST_RUN_KEY })));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        job: { id: 'test-job', name: 'test-job', entry: resolve('test/integration/cluster/jobs/wordcount-file.ts'), args: [join(dir, 'out')] },
        jobmanager: { address: '127.0.0.1', rpcPort: port },
        taskmanager: { id: 'tm-p', bindAddress: '127.0.0.1', dataPort: 0 },
        heartbeat: { interval: '200ms', timeout: '5s' },
      }),
    );
    tm = group.sluice('tm-p', ['taskmanager', '--config', config]);
    jm = await connected;
    heartbeats = setInterval(() => jm.send({ type: 'jm-heartbeat', sessionId: 's-1' }), 200);
  }, 60_000);

  afterAll(async () => {
    clearInterval(heartbeats);
    await group.stopAll();
    await new Promise<void>((ok) => server.close(() => ok()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers with its id, job, data address and slots', async () => {
    const register = await next('register');
    expect(register).toEqual({ type: 'register', taskManagerId: 'tm-p', jobId: 'test-job', dataAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/), slots: 1 });
    jm.send({ type: 'registered', sessionId: 's-1', heartbeatInterval: 200, heartbeatTimeout: 5000 });
    jm.send({ type: 'prepare-attempt', sessionId: 's-1', attempt: 1 });
    expect(await next('attempt-ready')).toEqual({ type: 'attempt-ready', sessionId: 's-1', attempt: 1 });
  }, 30_000);

  it('fails a subtask whose descriptor names a vertex the job does not have, with that error', async () => {
    jm.send({ type: 'deploy', sessionId: 's-1', attempt: 1, descriptor: descriptor('no-such-vertex', 1), producers: {} });
    const state = await next('task-state', (m) => m.vertexId === 'no-such-vertex');
    expect(state).toMatchObject({ sessionId: 's-1', attempt: 1, subtaskIndex: 0, state: 'FAILED', error: { name: 'Error', message: 'job graph "test-job" has no vertex no-such-vertex' } });
  }, 30_000);

  it('ignores and logs messages of another JobManager session or an older attempt', async () => {
    jm.send({ type: 'deploy', sessionId: 's-0', attempt: 1, descriptor: descriptor('from-old-session', 1), producers: {} });
    await waitForLog(tm, (e) => e.msg === 'ignoring a message of another JobManager session or an older attempt' && e.sessionId === 's-0');
    jm.send({ type: 'prepare-attempt', sessionId: 's-1', attempt: 2 });
    await next('attempt-ready', (m) => m.attempt === 2);
    jm.send({ type: 'deploy', sessionId: 's-1', attempt: 1, descriptor: descriptor('from-old-attempt', 1), producers: {} });
    await waitForLog(tm, (e) => e.msg === 'ignoring a message of another JobManager session or an older attempt' && e.attempt === 1 && e.currentAttempt === 2);
    // A later message shows the TaskManager went on, and nothing was reported for the ignored ones.
    jm.send({ type: 'deploy', sessionId: 's-1', attempt: 2, descriptor: descriptor('probe', 2), producers: {} });
    await next('task-state', (m) => m.vertexId === 'probe');
    expect(received.filter((m) => m.type === 'task-state').map((m) => (m as RpcMessageOf<'task-state'>).vertexId)).toEqual(['no-such-vertex', 'probe']);
  }, 30_000);
});
