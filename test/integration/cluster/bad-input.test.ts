import { connect } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pack } from 'msgpackr';
import { ProcessGroup, waitForLog } from '../../support/processes.ts';
import { Cluster } from './cluster-fixture.ts';

describe('a job module that throws while building', () => {
  it('makes the job FAILED with that error in REST, without a hang', async () => {
    const cluster = new Cluster({ entry: 'test/integration/cluster/jobs/throws.ts', parallelism: 1, taskManagers: 0 });
    try {
      await cluster.start();
      const failed = await cluster.waitForState('FAILED', 10_000);
      expect(failed.vertices).toEqual([]);
      const { rootException } = await cluster.exceptions();
      expect(rootException?.message).toBe(`job module "${resolve('test/integration/cluster/jobs/throws.ts')}" failed while building the pipeline: no pipeline today`);
    } finally {
      await cluster.stop();
    }
  }, 60_000);
});

describe('bad input to a running JobManager', () => {
  const cluster = new Cluster({ entry: 'test/integration/cluster/jobs/wordcount-file.ts', args: ['/nonexistent/never-written'], parallelism: 2, taskManagers: 0 });
  beforeAll(() => cluster.start(), 60_000);
  afterAll(() => cluster.stop());

  it('refuses a TaskManager of another job, which exits with the reason', async () => {
    const tm = cluster.startTaskManager('tm-wrong', { SLUICE_JOB__ID: 'other-job' });
    expect(await tm.exited).toBe(1);
    expect(tm.stderr).toContain(`sluice: JobManager refused TaskManager tm-wrong: TaskManager tm-wrong registered for job "other-job", but this JobManager runs job "test-job"`);
    const d = await cluster.details();
    expect(d.state).toBe('CREATED');
    expect(d.taskManagers.registered).toBe(0);
  }, 60_000);

  it('closes a connection that sends a malformed frame, names the peer, and carries on', async () => {
    const socket = connect({ host: '127.0.0.1', port: cluster.rpcPort });
    const local = await new Promise<number>((ok) => socket.once('connect', () => ok(socket.localPort!)));
    socket.resume(); // the JobManager's challenge is read and dropped, so that its close is seen
    const payload = pack({ type: 'bogus' });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length);
    socket.write(Buffer.concat([header, payload]));
    await new Promise<void>((ok) => socket.once('close', () => ok()));
    // Before authenticating, anything but the answer to the challenge drops the peer.
    const entry = await waitForLog(cluster.jobManager, (e) => typeof e.msg === 'string' && e.msg.startsWith('RPC peer'));
    expect(entry.msg).toBe(`RPC peer TaskManager connection 127.0.0.1:${local} failed authentication: expected an "authenticate" message, got "bogus"; connection dropped`);
    expect(await cluster.get('/healthz')).toEqual({ status: 'ok' });
  }, 30_000);

  it('a second JobManager on a port in use exits with a clear error', async () => {
    const group = new ProcessGroup();
    try {
      const jm = group.sluice('jobmanager-2', ['jobmanager', '--config', cluster.configFile], { SLUICE_JOBMANAGER__RPC_PORT: String(cluster.rpcPort) });
      expect(await jm.exited).toBe(1);
      expect(jm.stderr).toContain(`sluice: JobManager RPC cannot listen on 127.0.0.1:${cluster.rpcPort}: address already in use`);
    } finally {
      await group.stopAll();
    }
  }, 30_000);
});
