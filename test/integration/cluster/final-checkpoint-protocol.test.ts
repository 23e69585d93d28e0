import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobDetails } from '../../../runtime/rest/rest-types.ts';
import { RpcConnection } from '../../../runtime/rpc/rpc-connection.ts';
import type { RpcMessage, RpcMessageOf, TaskManagerMessage } from '../../../runtime/rpc/rpc-messages.ts';
import type { TaskDeploymentDescriptor } from '../../../runtime/task/task-deployment-descriptor.ts';
import { waitFor } from '../../support/processes.ts';
import { Cluster } from './cluster-fixture.ts';
import { TEST_RUN_KEY, authHeaders } from '../../support/run-key.ts';

/**
 * A real JobManager process against a TaskManager played by the test over the real RPC protocol, so
 * that subtasks end exactly when the test says: the JobMaster's side of final checkpoints.
 */
describe('JobMaster: ended subtasks and the final checkpoint', () => {
  const storage = mkdtempSync(join(tmpdir(), 'sluice-final-protocol-'));
  const cluster = new Cluster({
    entry: 'test/integration/cluster/jobs/wordcount-file.ts',
    args: [join(storage, 'out')],
    parallelism: 2,
    taskManagers: 0,
    config: {
      heartbeat: { interval: '200ms', timeout: '30s' },
      // No periodic checkpoint within the test: the ones it sees are the savepoint it asks for and the final one.
      checkpointing: { interval: '1h', mode: 'exactly-once', timeout: '30s', minPause: '0ms', retained: 3, storage: { filesystem: { path: join(storage, 'checkpoints') } } },
    },
  });
  const received: RpcMessage[] = [];
  let tm: RpcConnection;
  let sessionId: string;
  let attempt: number;
  let subtasks: TaskDeploymentDescriptor[];
  let heartbeats: NodeJS.Timeout | undefined;

  const next = <K extends RpcMessage['type']>(type: K, match: (m: RpcMessageOf<K>) => boolean = () => true): Promise<RpcMessageOf<K>> =>
    waitFor(`a "${type}" message`, () => received.find((m): m is RpcMessageOf<K> => m.type === type && match(m as RpcMessageOf<K>)), 30_000, 10);
  const all = <K extends RpcMessage['type']>(type: K, match: (m: RpcMessageOf<K>) => boolean = () => true): RpcMessageOf<K>[] =>
    received.filter((m): m is RpcMessageOf<K> => m.type === type && match(m as RpcMessageOf<K>));
  const send = (m: TaskManagerMessage) => tm.send(m);
  const key = (d: { vertexId: string; subtaskIndex: number }) => `${d.vertexId}/${d.subtaskIndex}`;
  const state = (d: TaskDeploymentDescriptor, s: 'RUNNING' | 'ENDED' | 'FINISHED') =>
    send({ type: 'task-state', sessionId, attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, state: s });
  const ack = (d: TaskDeploymentDescriptor, checkpointId: number) =>
    send({
      type: 'checkpoint-ack',
      sessionId,
      attempt,
      vertexId: d.vertexId,
      subtaskIndex: d.subtaskIndex,
      checkpointId,
      state: { vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, checkpointId, states: {}, alignmentDurationMs: 0 },
    });
  const details = () => cluster.get<JobDetails>(`/jobs/${cluster.jobId}`);

  beforeAll(async () => {
    await cluster.start();
    const socket = connect(cluster.rpcPort, '127.0.0.1');
    await new Promise<void>((ok, fail) => socket.once('connect', ok).once('error', fail));
    tm = new RpcConnection(socket, 'JobManager', { message: (m) => received.push(m), closed: () => undefined }, { side: 'taskmanager', runKey: TEST_RUN_KEY });
    send({ type: 'register', taskManagerId: 'tm-scripted', jobId: cluster.jobId, dataAddress: '127.0.0.1:1', slots: 2 });
    sessionId = (await next('registered')).sessionId;
    attempt = (await next('prepare-attempt')).attempt;
    heartbeats = setInterval(() => send({ type: 'tm-heartbeat', sessionId, attempt, tasks: [], sendBufferedBytes: 0 }), 200);
    send({ type: 'attempt-ready', sessionId, attempt });
    const vertices = (await waitFor('the job graph', async () => ((await details()).vertices.length > 0 ? details() : undefined))).vertices;
    const expected = vertices.reduce((n, v) => n + v.parallelism, 0);
    subtasks = (await waitFor('every deployment', () => (all('deploy').length === expected ? all('deploy') : undefined))).map((m) => m.descriptor);
    for (const d of subtasks) state(d, 'RUNNING');
    // Source readers register with their split enumerator, which the JobMaster runs from then on.
    for (const d of subtasks.filter((d) => d.inputs.length === 0)) {
      send({ type: 'reader-event', sessionId, attempt, vertexId: d.vertexId, subtaskIndex: d.subtaskIndex, event: { kind: 'reader-registered', restored: false } });
    }
    await cluster.waitForDetails('every subtask running', (j) => j.state === 'RUNNING' && j.vertices.every((v) => v.subtasks.every((s) => s.status === 'RUNNING')));
  }, 60_000);

  afterAll(async () => {
    clearInterval(heartbeats);
    tm?.close();
    await cluster.stop();
    rmSync(storage, { recursive: true, force: true });
  });

  it('triggers running sources, and an ENDED subtask directly for the checkpoint in flight it has not answered', async () => {
    const sources = subtasks.filter((d) => d.inputs.length === 0);
    const others = subtasks.filter((d) => d.inputs.length > 0);
    expect(sources.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(1);
    const response = await fetch(`http://127.0.0.1:${cluster.restPort}/jobs/${cluster.jobId}/savepoints`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', ...authHeaders() } });
    expect(response.status).toBe(202);
    const first = await next('trigger-checkpoint');
    const id = first.checkpointId;
    await waitFor('the triggers of the sources', () => all('trigger-checkpoint', (m) => m.checkpointId === id).length === sources.length || undefined);
    expect(all('trigger-checkpoint', (m) => m.checkpointId === id).map(key).sort()).toEqual(sources.map(key).sort());

    // One non-source subtask acknowledged at its barrier; another ends before its barrier came.
    const [acked, ending] = others as [TaskDeploymentDescriptor, TaskDeploymentDescriptor];
    ack(acked, id);
    state(ending, 'ENDED');
    const direct = await next('trigger-checkpoint', (m) => m.checkpointId === id && key(m) === key(ending));
    expect(direct).toMatchObject({ savepoint: true, sessionId, attempt });
    for (const d of subtasks) if (d !== acked) ack(d, id);
    await next('checkpoint-complete', (m) => m.checkpointId === id);
    expect(all('checkpoint-complete', (m) => m.checkpointId === id)[0]!.final).toBeUndefined();
    // The subtask that acknowledged at its barrier was not triggered directly.
    expect(all('trigger-checkpoint', (m) => m.checkpointId === id && key(m) === key(acked))).toEqual([]);
    const d = await details();
    expect(d.state).toBe('RUNNING');
    expect(d.vertices.flatMap((v) => v.subtasks.map((s) => s.status)).filter((s) => s === 'ENDED')).toHaveLength(1);
  }, 60_000);

  it('once every subtask ENDED, triggers the final checkpoint at once at all of them; the job FINISHES after its notice', async () => {
    const before = all('trigger-checkpoint').length;
    for (const d of subtasks) state(d, 'ENDED');
    await waitFor('triggers at every subtask', () => all('trigger-checkpoint').length === before + subtasks.length || undefined);
    const triggers = all('trigger-checkpoint').slice(before);
    const id = triggers[0]!.checkpointId;
    expect(triggers.every((t) => t.checkpointId === id && t.savepoint === false)).toBe(true);
    expect(triggers.map(key).sort()).toEqual(subtasks.map(key).sort());
    for (const d of subtasks) ack(d, id);
    const complete = await next('checkpoint-complete', (m) => m.checkpointId === id);
    expect(complete.final).toBe(true);
    expect((await details()).state).toBe('RUNNING');
    for (const d of subtasks) state(d, 'FINISHED');
    await cluster.waitForState('FINISHED', 10_000);
    const stats = await cluster.get<{ latest: { completed: { id: number } | null } }>(`/jobs/${cluster.jobId}/checkpoints`);
    expect(stats.latest.completed?.id).toBe(id);
  }, 60_000);
});
