import { afterEach, describe, expect, it } from '@jest/globals';
import { connect, createServer, type Server } from 'node:net';
import { pack } from 'msgpackr';
import { RpcConnection } from '../../../runtime/rpc/rpc-connection.ts';
import type { RpcMessage } from '../../../runtime/rpc/rpc-messages.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';

const OTHER_KEY = Buffer.alloc(32, 9);
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

interface End {
  readonly received: RpcMessage[];
  readonly closed: Promise<Error | null>;
  readonly authenticated: Promise<void>;
  connection?: RpcConnection;
}

function handlers(end: { received: RpcMessage[] }) {
  let closed!: (error: Error | null) => void;
  let authenticated!: () => void;
  const promises = { closed: new Promise<Error | null>((r) => (closed = r)), authenticated: new Promise<void>((r) => (authenticated = r)) };
  return { promises, handlers: { message: (m: RpcMessage) => end.received.push(m), closed, authenticated } };
}

/** A JobManager end and a TaskManager end over loopback, with the keys given (null: authentication disabled). */
async function pair(jobManagerKey: Buffer | null, taskManagerKey: Buffer | null): Promise<{ jm: End; tm: End }> {
  const jmReceived: RpcMessage[] = [];
  const jmSide = handlers({ received: jmReceived });
  const jm: End = { received: jmReceived, ...jmSide.promises };
  const server = createServer((socket) => (jm.connection = new RpcConnection(socket, 'test TaskManager', jmSide.handlers, { side: 'jobmanager', runKey: jobManagerKey })));
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  await new Promise((ok) => socket.once('connect', ok));
  const tmReceived: RpcMessage[] = [];
  const tmSide = handlers({ received: tmReceived });
  const tm: End = { received: tmReceived, ...tmSide.promises };
  tm.connection = new RpcConnection(socket, 'test JobManager', tmSide.handlers, { side: 'taskmanager', runKey: taskManagerKey });
  return { jm, tm };
}

/** Resolves once `messages` holds one. */
function arrived(messages: RpcMessage[]): Promise<void> {
  return new Promise<void>((ok) => {
    const check = () => (messages.length > 0 ? ok() : setImmediate(check));
    check();
  });
}

const frame = (value: unknown): Buffer => {
  const payload = pack(value);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
};

const register: RpcMessage = { type: 'register', taskManagerId: 'tm-1', jobId: 'job', dataAddress: '127.0.0.1:1', slots: 1 };

describe('RpcConnection authentication', () => {
  it('authenticates both ends with the run key; what the TaskManager sent before goes out after', async () => {
    const { jm, tm } = await pair(TEST_RUN_KEY, TEST_RUN_KEY);
    tm.connection!.send(register);
    expect(tm.connection!.authenticated).toBe(false);
    await Promise.all([jm.authenticated, tm.authenticated]);
    await arrived(jm.received);
    expect(jm.received).toEqual([register]);
    jm.connection!.send({ type: 'registered', sessionId: 's', heartbeatInterval: 1, heartbeatTimeout: 2 });
    await arrived(tm.received);
    tm.connection!.close();
    expect(await tm.closed).toBeNull();
    expect(tm.received).toEqual([{ type: 'registered', sessionId: 's', heartbeatInterval: 1, heartbeatTimeout: 2 }]);
  });

  it('drops a TaskManager with another key, and a TaskManager drops a JobManager with another key', async () => {
    const wrongTaskManager = await pair(TEST_RUN_KEY, OTHER_KEY);
    wrongTaskManager.tm.connection!.send(register);
    expect((await wrongTaskManager.jm.closed)?.message).toBe(
      "RPC peer test TaskManager failed authentication: wrong proof (not holding this run's key, or a replayed exchange); connection dropped",
    );
    expect(wrongTaskManager.jm.received).toEqual([]);
    // A JobManager that answers the TaskManager's nonce without the key: the TaskManager hangs up.
    const server = createServer((socket) => {
      socket.write(frame({ type: 'challenge', nonce: Buffer.alloc(32, 1) }));
      socket.once('data', () => socket.write(frame({ type: 'authenticated', proof: Buffer.alloc(32, 2) })));
    });
    servers.push(server);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const socket = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
    await new Promise((ok) => socket.once('connect', ok));
    const received: RpcMessage[] = [];
    const tm = handlers({ received });
    new RpcConnection(socket, 'test JobManager', tm.handlers, { side: 'taskmanager', runKey: TEST_RUN_KEY });
    expect((await tm.promises.closed)?.message).toBe("RPC peer test JobManager failed authentication: the JobManager's proof is wrong (not holding this run's key); connection dropped");
    expect(received).toEqual([]);
  });

  it('says so when one end has authentication disabled and the other not', async () => {
    const open = await pair(TEST_RUN_KEY, null);
    open.tm.connection!.send(register);
    expect((await open.jm.closed)?.message).toBe('RPC peer test TaskManager failed authentication: expected an "authenticate" message, got "register"; connection dropped');
    const both = await pair(null, null);
    both.tm.connection!.send(register);
    await both.jm.authenticated;
    both.tm.connection!.close();
    await both.jm.closed;
    expect(both.jm.received).toEqual([register]);
  });
});
