import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { pack } from 'msgpackr';
import { DataPlane } from '../../../runtime/network/data-plane.ts';
import { ACCEPTOR, DIALLER } from '../../../runtime/network/connection.ts';
import { FrameType, HEADER_BYTES, writeFrameHeader } from '../../../runtime/network/frame.ts';
import { encodeAuthFrame } from '../../../runtime/network/frame-codec.ts';
import { RpcConnection } from '../../../runtime/rpc/rpc-connection.ts';
import { ChallengeResponse } from '../../../runtime/security/challenge-response.ts';
import { parsePeerAddress } from '../../../runtime/core/peer-address.ts';
import { allRunning, Cluster } from '../cluster/cluster-fixture.ts';
import { inProcessLines, publishedLines } from '../cluster/parts.ts';
import { waitForLog } from '../../support/processes.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';
import { tempDirs } from '../../support/temp-dirs.ts';
import { networkOptions } from '../network/data-plane-fixture.ts';

const WINDOWS = 'test/integration/cluster/jobs/windows-file.ts';
const tempDir = tempDirs('sluice-hostile-');
const WRONG_KEY = Buffer.alloc(32, 0x5a);
/** security.handshakeTimeout of the cluster under attack. */
const DEADLINE_MS = 5000;
const CAP = 16;
const sockets: Socket[] = [];

/** A raw loopback connection whose close is timed from the moment it was dialled. */
async function open(port: number): Promise<{ socket: Socket; closed: Promise<number>; received: Buffer[] }> {
  // Timed from before dialling: the server's deadline starts after, so it is never overstated.
  const start = Date.now();
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  socket.on('error', () => undefined);
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - start)));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed, received };
}

/** The first `n` bytes a connection received, once they are there. */
async function firstBytes(socket: Socket, received: Buffer[], n: number): Promise<Buffer> {
  for (;;) {
    const all = Buffer.concat(received);
    if (all.length >= n) return all.subarray(0, n);
    if (socket.destroyed) throw new Error(`connection closed after ${all.length} of ${n} bytes`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Writes `bytes` one every 100 ms: a frame that is never quite there (slow-loris). */
function trickle(socket: Socket, bytes: Buffer): NodeJS.Timeout {
  let next = 0;
  return setInterval(() => next < bytes.length && socket.write(bytes.subarray(next, ++next)), 100);
}

const rpcFrame = (value: unknown): Buffer => {
  const payload = pack(value);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
};

/** How an attack ended: 'closed after N ms' (rounded to the deadline's scale) is what the table reports. */
const verdict = (ms: number): string =>
  ms < DEADLINE_MS / 2 ? 'closed at once' : ms >= DEADLINE_MS && ms < DEADLINE_MS * 3 ? 'closed at the deadline' : `closed after ${ms} ms`;

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

describe('hostile peers beside a running job', () => {
  const out = tempDir();
  const args = [out, '45000', '3000'];
  const cluster = new Cluster({
    entry: WINDOWS,
    args,
    parallelism: 2,
    taskManagers: 2,
    config: { restartStrategy: { type: 'none' }, security: { auth: 'enabled', handshakeTimeout: `${DEADLINE_MS}ms`, maxUnauthenticatedConnections: CAP } },
  });
  let dataPort = 0;

  beforeAll(async () => {
    await cluster.start();
    const started = await waitForLog(cluster.taskManagers[0]!, (e) => e.msg === 'TaskManager started', 90_000);
    dataPort = parsePeerAddress(started.dataAddress as string).port;
    await cluster.waitForDetails('all subtasks running and records flowing', (d) => allRunning(d) && d.vertices[0]!.subtasks.every((s) => s.recordsOut > 0));
  }, 180_000);
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await cluster.stop();
  });

  it('drops every hostile peer on the RPC, data and REST ports, stays up with bounded memory, and the job gives its exact output', async () => {
    const jm = cluster.jobManager.child.pid!;
    const tm = cluster.taskManagers[0]!.child.pid!;
    const rssBefore = { jm: rssKiB(jm), tm: rssKiB(tm) };
    const rpc = cluster.rpcPort;
    const results: Record<string, string> = {};

    const attacks: Record<string, () => Promise<string>> = {
      'RPC: frame header announcing 2 GiB, then 1 MiB': async () => {
        const c = await open(rpc);
        const header = Buffer.alloc(4);
        header.writeUInt32BE(0x7fffffff);
        c.socket.write(Buffer.concat([header, randomBytes(1024 * 1024)]));
        return verdict(await c.closed);
      },
      'RPC: 4 connections each announcing a 4 KiB + 1 frame': async () => {
        const all = await Promise.all(Array.from({ length: 4 }, () => open(rpc)));
        for (const c of all) {
          const header = Buffer.alloc(4);
          header.writeUInt32BE(4097);
          c.socket.write(Buffer.concat([header, Buffer.alloc(4097)]));
        }
        const times = await Promise.all(all.map((c) => c.closed));
        return verdict(Math.max(...times));
      },
      'RPC: garbage': async () => {
        const c = await open(rpc);
        c.socket.write(Buffer.concat([Buffer.from([0, 0, 0, 64]), randomBytes(64)]));
        return verdict(await c.closed);
      },
      'RPC: register without authenticating': async () => {
        const c = await open(rpc);
        c.socket.write(rpcFrame({ type: 'register', taskManagerId: 'tm-0', jobId: 'test-job', dataAddress: '127.0.0.1:1', slots: 8 }));
        return verdict(await c.closed);
      },
      'RPC: slow-loris (a byte every 100 ms)': async () => {
        const c = await open(rpc);
        const timer = trickle(c.socket, Buffer.concat([Buffer.from([0, 0, 3, 232]), Buffer.alloc(1000, 0xa0)]));
        const ms = await c.closed;
        clearInterval(timer);
        return verdict(ms);
      },
      'RPC: silent (connected, sends nothing)': async () => verdict(await (await open(rpc)).closed),
      'RPC: half-open (FIN at once, reading on)': async () => {
        const c = await open(rpc);
        c.socket.end();
        return verdict(await c.closed);
      },
      'RPC: wrong key': async () => {
        const c = await open(rpc);
        const error = await new Promise<Error | null>((resolve) => new RpcConnection(c.socket, 'JobManager', { message: () => undefined, closed: resolve }, { side: 'taskmanager', runKey: WRONG_KEY }));
        results['RPC: wrong key (attacker side)'] = error?.message ?? 'no error';
        return verdict(await c.closed);
      },
      'RPC: replayed authentication': async () => {
        // A genuine exchange, recorded, then replayed on a new connection.
        const first = await open(rpc);
        const challenge = await firstBytes(first.socket, first.received, 4);
        const frame = await firstBytes(first.socket, first.received, 4 + challenge.readUInt32BE(0));
        const { nonce } = (await import('msgpackr')).unpack(frame.subarray(4)) as { nonce: Buffer };
        const exchange = new ChallengeResponse(TEST_RUN_KEY, 'sluice/rpc/taskmanager', 'sluice/rpc/jobmanager');
        const recorded = rpcFrame({ type: 'authenticate', nonce: exchange.nonce, proof: exchange.proofFor(Buffer.from(nonce)) });
        first.socket.write(recorded);
        first.socket.destroy();
        const replay = await open(rpc);
        replay.socket.write(recorded);
        return verdict(await replay.closed);
      },
      'data: frame header announcing 64 MiB, then 1 MiB': async () => {
        const c = await open(dataPort);
        const header = Buffer.alloc(HEADER_BYTES);
        writeFrameHeader(header, 0, FrameType.DATA, 1, 64 * 1024 * 1024);
        c.socket.write(Buffer.concat([header, randomBytes(1024 * 1024)]));
        return verdict(await c.closed);
      },
      'data: garbage': async () => {
        const c = await open(dataPort);
        c.socket.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        return verdict(await c.closed);
      },
      'data: DATA frame without authenticating': async () => {
        const c = await open(dataPort);
        const frame = Buffer.alloc(HEADER_BYTES + 16);
        writeFrameHeader(frame, 0, FrameType.DATA, 1, 16);
        c.socket.write(frame);
        return verdict(await c.closed);
      },
      'data: slow-loris (a byte every 100 ms)': async () => {
        const c = await open(dataPort);
        const frame = Buffer.alloc(HEADER_BYTES + 1000);
        writeFrameHeader(frame, 0, FrameType.CHALLENGE, 0, 1000);
        const timer = trickle(c.socket, frame);
        const ms = await c.closed;
        clearInterval(timer);
        return verdict(ms);
      },
      'data: silent (connected, sends nothing)': async () => verdict(await (await open(dataPort)).closed),
      'data: wrong key': async () => {
        const attacker = new DataPlane({ jobId: 'test-job', fencingToken: 1, processId: 'attacker', network: networkOptions(), runKey: WRONG_KEY });
        const failure = new Promise<string>((resolve) => attacker.onError((e) => resolve(e.message)));
        attacker.createWriter(`127.0.0.1:${dataPort}`, 1);
        results['data: wrong key (attacker side)'] = (await failure).replace(/:\d+/g, ':PORT');
        await attacker.close();
        return 'refused';
      },
      'data: replayed authentication': async () => {
        const first = await open(dataPort);
        const challenge = (await firstBytes(first.socket, first.received, HEADER_BYTES + 32)).subarray(HEADER_BYTES);
        const exchange = new ChallengeResponse(TEST_RUN_KEY, DIALLER, ACCEPTOR);
        const recorded = Buffer.concat([encodeAuthFrame(FrameType.CHALLENGE, exchange.nonce), encodeAuthFrame(FrameType.PROOF, exchange.proofFor(challenge))]);
        first.socket.write(recorded);
        first.socket.destroy();
        const replay = await open(dataPort);
        replay.socket.write(recorded);
        return verdict(await replay.closed);
      },
      'REST: no token': async () => String((await fetch(`http://127.0.0.1:${cluster.restPort}/jobs/test-job`, { method: 'PATCH' })).status),
      'REST: 1 MiB header': async () =>
        String(await fetch(`http://127.0.0.1:${cluster.restPort}/jobs`, { headers: { 'x-junk': 'x'.repeat(1024 * 1024) } }).then((r) => r.status, (e: Error) => `connection closed (${(e.cause as Error | undefined)?.message ?? e.message})`)),
    };
    const floods: Record<string, () => Promise<string>> = {
      'RPC: 40 connections at once': async () => {
        const all = await Promise.all(Array.from({ length: 40 }, () => open(rpc)));
        const times = await Promise.all(all.map((c) => c.closed));
        const atOnce = times.filter((t) => t < DEADLINE_MS / 2).length;
        return `${atOnce} closed at once, ${times.length - atOnce} at the deadline`;
      },
      'data: 40 connections at once': async () => {
        const all = await Promise.all(Array.from({ length: 40 }, () => open(dataPort)));
        const times = await Promise.all(all.map((c) => c.closed));
        const atOnce = times.filter((t) => t < DEADLINE_MS / 2).length;
        return `${atOnce} closed at once, ${times.length - atOnce} at the deadline`;
      },
    };
    // An attack the process never ends would hang here: it is reported instead. The floods come after
    // the others, so that exactly CAP of their connections find room to wait.
    const hung = () => new Promise<string>((resolve) => setTimeout(() => resolve('still open after 20 s'), 20_000).unref());
    for (const phase of [attacks, floods]) {
      await Promise.all(
        Object.entries(phase).map(async ([name, attack]) => (results[name] = await Promise.race([attack().catch((e: Error) => `attack failed: ${e.message}`), hung()]))),
      );
    }

    console.log(Object.entries(results).map(([attack, result]) => `| ${attack} | ${result} |`).join('\n'));
    expect(results).toEqual({
      'RPC: frame header announcing 2 GiB, then 1 MiB': 'closed at once',
      'RPC: 4 connections each announcing a 4 KiB + 1 frame': 'closed at once',
      'RPC: garbage': 'closed at once',
      'RPC: register without authenticating': 'closed at once',
      'RPC: slow-loris (a byte every 100 ms)': 'closed at the deadline',
      'RPC: silent (connected, sends nothing)': 'closed at the deadline',
      'RPC: half-open (FIN at once, reading on)': 'closed at once',
      'RPC: wrong key': 'closed at once',
      'RPC: wrong key (attacker side)': expect.stringMatching(/^RPC connection to JobManager failed: |^RPC connection to JobManager closed before authenticating$/),
      'RPC: replayed authentication': 'closed at once',
      'RPC: 40 connections at once': expect.stringMatching(/^\d+ closed at once, \d+ at the deadline$/),
      'data: frame header announcing 64 MiB, then 1 MiB': 'closed at once',
      'data: garbage': 'closed at once',
      'data: DATA frame without authenticating': 'closed at once',
      'data: slow-loris (a byte every 100 ms)': 'closed at the deadline',
      'data: silent (connected, sends nothing)': 'closed at the deadline',
      'data: wrong key': 'refused',
      'data: wrong key (attacker side)': expect.stringMatching(/^authentication failed from peer 127\.0\.0\.1:PORT: wrong PROOF|^bad handshake from peer 127\.0\.0\.1:PORT: the peer closed the connection before the handshake: authentication failed/),
      'data: replayed authentication': 'closed at once',
      'data: 40 connections at once': expect.stringMatching(/^\d+ closed at once, \d+ at the deadline$/),
      'REST: no token': '401',
      'REST: 1 MiB header': '431',
    });

    // The cap holds: at most CAP of a flood wait for the deadline (a phase-1 connection still closing may take a slot).
    for (const port of ['RPC', 'data']) {
      const [, atOnce, atDeadline] = /^(\d+) closed at once, (\d+) at the deadline$/.exec(results[`${port}: 40 connections at once`]!)!.map(Number);
      expect([port, atDeadline! <= CAP && atDeadline! >= 1, atOnce! >= 40 - CAP]).toEqual([port, true, true]);
    }

    // The job never noticed.
    expect((await cluster.details()).state).toBe('RUNNING');
    for (const p of [cluster.jobManager, ...cluster.taskManagers]) expect(p.child.exitCode).toBeNull();
    const rssAfter = { jm: rssKiB(jm), tm: rssKiB(tm) };
    console.log(`RSS before/after the attacks: JobManager ${rssBefore.jm}/${rssAfter.jm} KiB, TaskManager ${rssBefore.tm}/${rssAfter.tm} KiB`);
    // 2 GiB and 64 MiB were announced, and 2 MiB sent: none of it may be held.
    expect(rssAfter.jm - rssBefore.jm).toBeLessThan(32 * 1024);
    expect(rssAfter.tm - rssBefore.tm).toBeLessThan(32 * 1024);

    // Each dropped peer is logged once, with its address.
    const failedAuth = cluster.jobManager.stderr.filter((l) => l.includes('failed authentication'));
    expect(failedAuth.length).toBeGreaterThanOrEqual(3);
    for (const line of failedAuth) expect(line).toMatch(/RPC peer TaskManager connection 127\.0\.0\.1:\d+ failed authentication/);
    const ports = failedAuth.map((l) => /127\.0\.0\.1:(\d+) failed/.exec(l)![1]);
    expect(new Set(ports).size).toBe(ports.length);

    const tmFailed = cluster.taskManagers[0]!.stderr.filter((l) => l.includes('authentication failed from peer'));
    expect(tmFailed.some((l) => /wrong PROOF/.test(l))).toBe(true);
    const tmPorts = tmFailed.map((l) => /from peer 127\.0\.0\.1:(\d+)/.exec(l)![1]);
    expect(new Set(tmPorts).size).toBe(tmPorts.length);

    const done = await cluster.waitForState('FINISHED');
    expect(done.restarts).toBe(0);
    const expectedDir = tempDir();
    expect(publishedLines(out)).toEqual(await inProcessLines(WINDOWS, [expectedDir, '45000'], 2, expectedDir));
    expect(publishedLines(out).length).toBe(7 * 45);
  }, 180_000);
});
