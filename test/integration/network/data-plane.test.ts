import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { DataPlane } from '../../../runtime/network/data-plane.ts';
import { BatchFrameEncoder } from '../../../runtime/network/batch-frame.ts';
import { MsgpackSerializer } from '../../../runtime/network/msgpack-serializer.ts';
import { FrameType, HEADER_BYTES, writeFrameHeader } from '../../../runtime/network/frame.ts';
import { PROTOCOL_VERSION, encodeAuthFrame, encodeEvent, encodeHandshake } from '../../../runtime/network/frame-codec.ts';
import { ACCEPTOR, DIALLER } from '../../../runtime/network/connection.ts';
import { ChallengeResponse } from '../../../runtime/security/challenge-response.ts';
import { parsePeerAddress } from '../../../runtime/core/peer-address.ts';
import { NO_TIMESTAMP } from '../../../runtime/core/timestamps.ts';
import type { TypeSerializer } from '../../../runtime/core/type-serializer.ts';
import { collect, flatten, networkOptions, produce, startPlane } from './data-plane-fixture.ts';
import { waitUntil } from '../../support/processes.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';

const planes: DataPlane[] = [];
const sockets: Socket[] = [];
const servers: Server[] = [];

async function plane(processId: string, overrides = {}, jobId = 'job-1', fencingToken = 1) {
  const started = await startPlane(processId, overrides, jobId, fencingToken);
  planes.push(started.plane);
  return started;
}

/** A raw TCP client that speaks the protocol by hand, to send what a correct peer never would. */
async function rawPeer(address: string, hello = true): Promise<Socket> {
  const { host, port } = parsePeerAddress(address);
  const socket = connect({ host, port });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  if (hello) {
    // Authenticates as a dialler holding the run key, then handshakes.
    const exchange = new ChallengeResponse(TEST_RUN_KEY, DIALLER, ACCEPTOR);
    const challenge = await readBytes(socket, HEADER_BYTES + 32);
    socket.write(
      Buffer.concat([
        encodeAuthFrame(FrameType.CHALLENGE, exchange.nonce),
        encodeAuthFrame(FrameType.PROOF, exchange.proofFor(challenge.subarray(HEADER_BYTES))),
        encodeHandshake({ protocolVersion: PROTOCOL_VERSION, jobId: 'job-1', fencingToken: 1, processId: 'raw', dataAddress: '', creditsPerChannel: 4 }),
      ]),
    );
  } else {
    socket.resume();
  }
  return socket;
}

/** The first `n` bytes `socket` receives (the rest of that chunk is dropped). */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < n) return;
      socket.off('data', onData);
      socket.resume();
      resolve(received.subarray(0, n));
    };
    socket.on('data', onData);
  });
}

/** Error messages with port numbers blanked, sorted: the ports differ per run. */
function withoutPorts(errors: string[]): string[] {
  return errors.map((e) => e.replace(/:\d+/g, ':PORT')).sort();
}

/** The message `action` throws. */
function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error thrown');
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(planes.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('DataPlane over loopback TCP', () => {
  it('delivers records exactly and in order per channel, with events in place, many channels on one connection', async () => {
    const sender = await plane('tm-1');
    const receiver = await plane('tm-2');
    const channels = 40;
    const perChannel = 3000;
    const inputs = Array.from({ length: channels }, (_, c) => receiver.plane.registerInput(c));
    const received = inputs.map(collect);
    const writers = Array.from({ length: channels }, (_, c) => sender.plane.createWriter(receiver.address, c));
    await Promise.all(
      writers.map(async (writer, c) => {
        await produce(writer, perChannel / 2, (i) => ({ c, i }));
        writer.emitEvent({ kind: 'watermark', timestamp: 1000 + c });
        writer.emitEvent({ kind: 'barrier', checkpointId: 7, timestamp: 99, savepoint: false });
        await produce(writer, perChannel / 2, (i) => ({ c, i: i + perChannel / 2 }));
        writer.emitEvent({ kind: 'end-of-partition' });
        writer.close();
      }),
    );
    const results = await Promise.all(received);
    for (let c = 0; c < channels; c++) {
      const half = (from: number) => Array.from({ length: perChannel / 2 }, (_, i) => `{"c":${c},"i":${from + i}}@${i}`);
      expect(flatten(results[c]!)).toEqual([...half(0), `watermark:${1000 + c}`, 'barrier', ...half(perChannel / 2), 'end-of-partition']);
    }
    for (let c = 0; c < channels; c++) {
      expect(writers[c]!.sentBytes).toBeGreaterThan(perChannel * 4);
      expect(inputs[c]!.receivedBytes).toBe(writers[c]!.sentBytes);
    }
    expect(results[3]!.find((e) => 'kind' in e && e.kind === 'barrier')).toEqual({ kind: 'barrier', checkpointId: 7, timestamp: 99, savepoint: false });
    expect(sender.plane.connectionCount).toBe(1);
    expect(receiver.plane.connectionCount).toBe(1);
    expect([...sender.errors, ...receiver.errors]).toEqual([]);
  });

  it('reuses the connection a peer dialled for channels in the other direction', async () => {
    const a = await plane('tm-a');
    const b = await plane('tm-b');
    const toB = collect(b.plane.registerInput(1));
    const ab = a.plane.createWriter(b.address, 1);
    ab.emit('ping', NO_TIMESTAMP);
    ab.emitEvent({ kind: 'end-of-partition' });
    ab.close();
    expect(flatten(await toB)).toEqual(['"ping"@-Infinity', 'end-of-partition']);
    const toA = collect(a.plane.registerInput(1));
    const ba = b.plane.createWriter(a.address, 1);
    ba.emit('pong', 5);
    ba.emitEvent({ kind: 'end-of-partition' });
    ba.close();
    expect(flatten(await toA)).toEqual(['"pong"@5', 'end-of-partition']);
    expect(a.plane.connectionCount).toBe(1);
    expect(b.plane.connectionCount).toBe(1);
  });

  it('flushes a partial batch after the buffer timeout', async () => {
    const sender = await plane('tm-1', { bufferTimeout: 20 });
    const receiver = await plane('tm-2');
    const input = receiver.plane.registerInput(3);
    const writer = sender.plane.createWriter(receiver.address, 3);
    writer.emit({ n: 1 }, 10);
    writer.emit({ n: 2 }, 11);
    let batch = null;
    await waitUntil(() => (batch = input.poll()) !== null, 'the timed-out batch');
    expect(batch).toEqual({ values: [{ n: 1 }, { n: 2 }], timestamps: [10, 11] });
  });

  it('carries a stream with its own serializer, and sends each record at once with a zero buffer timeout', async () => {
    const sender = await plane('tm-1', { bufferTimeout: 0 });
    const receiver = await plane('tm-2');
    const int32: TypeSerializer<number> = {
      encodeBatch: (values) => Buffer.from(Int32Array.from(values).buffer),
      // A copy: the received bytes are a view at any offset into a socket chunk.
      decodeBatch: (bytes) => Array.from(new Int32Array(new Uint8Array(bytes).buffer)),
    };
    const input = receiver.plane.registerInput(4, int32 as TypeSerializer);
    const writer = sender.plane.createWriter(receiver.address, 4, int32 as TypeSerializer);
    writer.emit(-7, 1);
    let first = null;
    await waitUntil(() => (first = input.poll()) !== null, 'the single record');
    expect(first).toEqual({ values: [-7], timestamps: [1] });
    const rest = collect(input);
    for (const value of [2147483647, 0, -2147483648]) writer.emit(value, NO_TIMESTAMP);
    writer.emitEvent({ kind: 'end-of-partition' });
    expect(flatten(await rest)).toEqual(['2147483647@-Infinity', '0@-Infinity', '-2147483648@-Infinity', 'end-of-partition']);
  });

  it('holds data that arrives before its receiver is registered', async () => {
    const sender = await plane('tm-1');
    const receiver = await plane('tm-2');
    const writer = sender.plane.createWriter(receiver.address, 12);
    writer.emit('early', 1);
    writer.emitEvent({ kind: 'end-of-partition' });
    writer.close();
    await waitUntil(() => receiver.plane.unregisteredChannels === 1, 'the early data');
    expect(flatten(await collect(receiver.plane.registerInput(12)))).toEqual(['"early"@1', 'end-of-partition']);
  });

  it('fails the connection when more channels than allowed hold unregistered data', async () => {
    const sender = await plane('tm-1');
    const receiver = await plane('tm-2', { maxUnregisteredChannels: 2 });
    const writers = [0, 1, 2].map((c) => sender.plane.createWriter(receiver.address, c));
    for (const writer of writers) writer.flush();
    for (const writer of writers) writer.emit('x', 1);
    for (const writer of writers) writer.flush();
    await waitUntil(() => receiver.errors.length > 0 && sender.errors.length > 0, 'both sides to report');
    expect(withoutPorts(receiver.errors)).toEqual([
      'protocol violation from peer tm-1 (127.0.0.1:PORT): data for channel 2, but 2 unregistered channels already hold data (network.maxUnregisteredChannels)',
    ]);
    expect(withoutPorts(sender.errors)).toEqual([
      'peer tm-2 (127.0.0.1:PORT) closed the connection: protocol violation from peer tm-1 (127.0.0.1:PORT): data for channel 2, but 2 unregistered channels already hold data (network.maxUnregisteredChannels)',
    ]);
    expect(() => writers[0]!.emit('y', 1)).toThrow(/^peer tm-2 .* closed the connection: protocol violation/);
    await expect(writers[1]!.availability()).rejects.toThrow(/closed the connection/);
  });

  it('names host:port when the port is in use', async () => {
    const first = await plane('tm-1');
    const { port } = parsePeerAddress(first.address);
    const second = new DataPlane({ jobId: 'job-1', fencingToken: 1, processId: 'tm-2', network: networkOptions(), runKey: TEST_RUN_KEY });
    planes.push(second);
    await expect(second.listen('127.0.0.1', port)).rejects.toThrow(`data plane cannot listen on 127.0.0.1:${port}: address already in use`);
  });

  it('rejects a peer of another job or another attempt, on both sides, and carries on', async () => {
    const receiver = await plane('tm-2', {}, 'job-1', 4);
    const stranger = await plane('tm-x', {}, 'job-2', 4);
    const stale = await plane('tm-old', {}, 'job-1', 3);
    stranger.plane.createWriter(receiver.address, 1).emitEvent({ kind: 'end-of-partition' });
    stale.plane.createWriter(receiver.address, 2).emitEvent({ kind: 'end-of-partition' });
    await waitUntil(() => receiver.errors.length === 2 && stranger.errors.length === 1 && stale.errors.length === 1, 'all rejections');
    expect(withoutPorts(receiver.errors)).toEqual([
      `bad handshake from peer 127.0.0.1:PORT: fencing token 3 does not match this process's 4`,
      `bad handshake from peer 127.0.0.1:PORT: job id "job-2" does not match this process's job "job-1"`,
    ]);
    expect(withoutPorts(stranger.errors)).toEqual([`bad handshake from peer 127.0.0.1:PORT: job id "job-1" does not match this process's job "job-2"`]);
    expect(withoutPorts(stale.errors)).toEqual([`bad handshake from peer 127.0.0.1:PORT: fencing token 4 does not match this process's 3`]);
    const good = await plane('tm-1', {}, 'job-1', 4);
    const input = collect(receiver.plane.registerInput(3));
    const writer = good.plane.createWriter(receiver.address, 3);
    writer.emit(1, 1);
    writer.emitEvent({ kind: 'end-of-partition' });
    expect(flatten(await input)).toEqual(['1@1', 'end-of-partition']);
  });

  it('refuses a peer with another run key or with authentication disabled, on both sides, and carries on', async () => {
    const receiver = await plane('tm-2');
    const peer = (processId: string, runKey: Buffer | null) => {
      const started = new DataPlane({ jobId: 'job-1', fencingToken: 1, processId, network: networkOptions(), runKey });
      planes.push(started);
      const errors: string[] = [];
      started.onError((error) => errors.push(error.message));
      return { plane: started, errors };
    };
    const stranger = peer('tm-other-key', Buffer.alloc(32, 3));
    const open = peer('tm-open', null);
    stranger.plane.createWriter(receiver.address, 1).emitEvent({ kind: 'end-of-partition' });
    open.plane.createWriter(receiver.address, 2).emitEvent({ kind: 'end-of-partition' });
    await waitUntil(() => receiver.errors.length === 2 && stranger.errors.length === 1 && open.errors.length === 1, 'all refusals');
    const wrongProof = "wrong PROOF: the peer does not hold this run's key (or replays an old exchange)";
    expect(withoutPorts(receiver.errors)).toEqual([
      'authentication failed from peer 127.0.0.1:PORT: expected a CHALLENGE frame first, got HANDSHAKE (the peer has authentication disabled)',
      `authentication failed from peer 127.0.0.1:PORT: ${wrongProof}`,
    ]);
    expect(withoutPorts(stranger.errors)).toEqual([`authentication failed from peer 127.0.0.1:PORT: ${wrongProof}`]);
    expect(withoutPorts(open.errors)).toEqual([
      'bad handshake from peer 127.0.0.1:PORT: expected a HANDSHAKE frame first, got CHALLENGE (the peer requires authentication, which this process has disabled)',
    ]);
    const good = await plane('tm-1');
    const input = collect(receiver.plane.registerInput(3));
    const writer = good.plane.createWriter(receiver.address, 3);
    writer.emit(1, 1);
    writer.emitEvent({ kind: 'end-of-partition' });
    expect(flatten(await input)).toEqual(['1@1', 'end-of-partition']);
  });

  it('closes only the connection that sends a malformed frame, naming the peer', async () => {
    const receiver = await plane('tm-2');
    const good = await plane('tm-1');
    const input = collect(receiver.plane.registerInput(1));
    const writer = good.plane.createWriter(receiver.address, 1);
    writer.emit('before', 1);
    writer.flush();
    const raw = await rawPeer(receiver.address);
    const closed = new Promise((resolve) => raw.once('close', resolve));
    const bad = Buffer.alloc(HEADER_BYTES);
    writeFrameHeader(bad, 0, FrameType.CREDIT, 1, 0);
    bad[4] = 42;
    raw.write(bad);
    await closed;
    expect(receiver.errors).toEqual([expect.stringMatching(/^malformed frame from peer raw \(127\.0\.0\.1:\d+\): unknown frame type 42$/)]);
    writer.emit('after', 2);
    writer.emitEvent({ kind: 'end-of-partition' });
    expect(flatten(await input)).toEqual(['"before"@1', '"after"@2', 'end-of-partition']);
  });

  it('reports a frame cut off by the peer closing, and a first frame that is not a handshake', async () => {
    const receiver = await plane('tm-2');
    const truncating = await rawPeer(receiver.address);
    const header = Buffer.alloc(HEADER_BYTES);
    writeFrameHeader(header, 0, FrameType.DATA, 1, 100);
    truncating.end(Buffer.concat([header, Buffer.alloc(20)]));
    await waitUntil(() => receiver.errors.length === 1, 'the truncation error');
    expect(receiver.errors[0]).toMatch(/^truncated frame from peer raw \(127\.0\.0\.1:\d+\): connection closed after 29 of 109 bytes of a DATA frame$/);
    const rude = await rawPeer(receiver.address, false);
    rude.write(Buffer.concat([header, Buffer.alloc(100)]));
    await waitUntil(() => receiver.errors.length === 2, 'the handshake error');
    expect(receiver.errors[1]).toMatch(/^authentication failed from peer 127\.0\.0\.1:\d+: expected a CHALLENGE frame first, got DATA$/);
  });

  it('closes a peer that sends beyond its credit, or after end-of-partition', async () => {
    const receiver = await plane('tm-2', { creditsPerChannel: 4 });
    const batch = new BatchFrameEncoder(1, new MsgpackSerializer()).encode(['x'], [1]);
    const dataFrame = Buffer.concat([batch.head, batch.body!]);
    const greedy = await rawPeer(receiver.address);
    greedy.write(Buffer.concat(Array.from({ length: 5 }, () => dataFrame)));
    await waitUntil(() => receiver.errors.length === 1, 'the credit violation');
    const late = await rawPeer(receiver.address);
    late.write(Buffer.concat([encodeEvent(2, { kind: 'end-of-partition' }), encodeEvent(2, { kind: 'watermark', timestamp: 5 })]));
    await waitUntil(() => receiver.errors.length === 2, 'the late frame');
    expect(withoutPorts(receiver.errors)).toEqual([
      'protocol violation from peer raw (127.0.0.1:PORT): frame on channel 2 after its end-of-partition',
      'protocol violation from peer raw (127.0.0.1:PORT): more than 4 frames on channel 1 without credit',
    ]);
  });

  it('fails the writers of a peer that shuts down while they still have data to send', async () => {
    const sender = await plane('tm-1');
    const receiver = await plane('tm-2');
    receiver.plane.registerInput(1);
    const writer = sender.plane.createWriter(receiver.address, 1);
    // The receiver never polls: 4 batches go out against the credit, the rest waits.
    for (let i = 0; i < 10 * 512; i++) writer.emit(i, i);
    expect(writer.isAvailable()).toBe(false);
    await waitUntil(() => receiver.plane.connectionCount === 1 && writer.gate.availableCredits === 0, 'the credit to be spent');
    await receiver.plane.close();
    await expect(writer.availability()).rejects.toThrow(/^peer tm-2 \(127\.0\.0\.1:\d+\) closed the connection: data plane shut down$/);
    expect(withoutPorts(sender.errors)).toEqual(['peer tm-2 (127.0.0.1:PORT) closed the connection: data plane shut down']);
  });

  it('fails a silent peer after the handshake timeout', async () => {
    const receiver = await plane('tm-2', { connectTimeout: 200 });
    await rawPeer(receiver.address, false);
    await waitUntil(() => receiver.errors.length === 1, 'the timeout');
    expect(receiver.errors[0]).toMatch(/^bad handshake from peer 127\.0\.0\.1:\d+: no handshake within 200 ms$/);
  });

  it('hands out what arrived, then fails the input channel when the peer is lost', async () => {
    const receiver = await plane('tm-2');
    const channel = receiver.plane.registerInput(5);
    const seen: string[] = [];
    const failure = new Promise<string>((resolve) =>
      channel.setAvailabilityListener(() => {
        try {
          for (let element = channel.poll(); element !== null; element = channel.poll()) seen.push(...flatten([element]));
        } catch (error) {
          resolve((error as Error).message);
        }
      }),
    );
    const crashing = await rawPeer(receiver.address);
    const frame = new BatchFrameEncoder(5, new MsgpackSerializer()).encode(['last words'], [1]);
    crashing.write(Buffer.concat([frame.head, frame.body!]));
    // A crash: the socket goes away without a CLOSE frame.
    crashing.end();
    expect(withoutPorts([await failure])).toEqual(['data-plane connection to peer raw (127.0.0.1:PORT) lost']);
    expect(seen).toEqual(['"last words"@1']);
    expect(withoutPorts(receiver.errors)).toEqual(['data-plane connection to peer raw (127.0.0.1:PORT) lost']);
  });

  it('fails the writers of a peer that never listens, after the connect timeout', async () => {
    const sender = await plane('tm-1', { connectTimeout: 150 });
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    servers.pop();
    const writer = sender.plane.createWriter(`127.0.0.1:${port}`, 1);
    for (let i = 0; i < 5 * 512; i++) writer.emit(i, i);
    expect(writer.isAvailable()).toBe(false);
    await expect(writer.availability()).rejects.toThrow(`cannot connect to data-plane peer 127.0.0.1:${port} within 150 ms: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(() => writer.emit(0, 0)).toThrow(`cannot connect to data-plane peer 127.0.0.1:${port}`);
    expect(sender.errors).toEqual([`cannot connect to data-plane peer 127.0.0.1:${port} within 150 ms: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('closes the connections of an old attempt when the fencing token advances', async () => {
    const a = await plane('tm-a');
    const b = await plane('tm-b');
    const oldInput = b.plane.registerInput(1);
    const oldWriter = a.plane.createWriter(b.address, 1);
    oldWriter.emit('attempt 1', 1);
    oldWriter.flush();
    await waitUntil(() => oldInput.bufferedFrames === 1, 'the first attempt\'s batch');
    await Promise.all([a.plane.setFencingToken(2), b.plane.setFencingToken(2)]);
    expect(withoutPorts([errorOf(() => oldWriter.emit('late', 2))])).toEqual(['data-plane connection to tm-b (127.0.0.1:PORT) closed: fencing token advanced to 2']);
    expect(oldInput.poll()).toEqual({ values: ['attempt 1'], timestamps: [1] });
    expect(withoutPorts([errorOf(() => oldInput.poll())])).toEqual(['data-plane connection to tm-a (127.0.0.1:PORT) closed: fencing token advanced to 2']);
    const input = collect(b.plane.registerInput(1));
    const writer = a.plane.createWriter(b.address, 1);
    writer.emit('attempt 2', 1);
    writer.emitEvent({ kind: 'end-of-partition' });
    expect(flatten(await input)).toEqual(['"attempt 2"@1', 'end-of-partition']);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('dials a peer at an older attempt again until it advances its fencing token', async () => {
    const logs: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
    const behind = await plane('tm-behind');
    const ahead = new DataPlane({ jobId: 'job-1', fencingToken: 1, processId: 'tm-ahead', network: networkOptions(), runKey: TEST_RUN_KEY, logger });
    planes.push(ahead);
    await ahead.setFencingToken(2);
    const writer = ahead.createWriter(behind.address, 1);
    writer.emit('new attempt', 1);
    writer.emitEvent({ kind: 'end-of-partition' });
    await waitUntil(() => logs.filter((line) => line.includes('dialling again')).length >= 2, 'two dials refused');
    await behind.plane.setFencingToken(2);
    expect(flatten(await collect(behind.plane.registerInput(1)))).toEqual(['"new attempt"@1', 'end-of-partition']);
    expect(behind.errors).toEqual([]);
  });

  it('gives up on a peer that stays at an older attempt, after the connect timeout', async () => {
    const behind = await plane('tm-behind');
    const ahead = await plane('tm-ahead', { connectTimeout: 300 }, 'job-1', 2);
    const writer = ahead.plane.createWriter(behind.address, 1);
    writer.emit('lost', 1);
    writer.flush();
    const message = `data-plane peer ${behind.address} is still at fencing token 1, behind this process's 2, after 300 ms`;
    await waitUntil(() => ahead.errors.length === 1, 'the give-up');
    expect(ahead.errors).toEqual([message]);
    expect(() => writer.emit('more', 2)).toThrow(message);
    expect(behind.errors).toEqual([]);
  });

  it('fails an input channel whose known producer closes its connection before sending on it', async () => {
    const consumer = await plane('tm-consumer');
    const producer = await plane('tm-producer');
    const silent = consumer.plane.registerInput(2, undefined, producer.address);
    const result = collect(silent).then(
      () => 'completed',
      (error: Error) => error.message,
    );
    const busy = collect(consumer.plane.registerInput(1));
    const writer = producer.plane.createWriter(consumer.address, 1);
    writer.emitEvent({ kind: 'end-of-partition' });
    writer.close();
    expect(flatten(await busy)).toEqual(['end-of-partition']);
    await producer.plane.close(1000);
    expect(withoutPorts([await result])).toEqual(['producer tm-producer (127.0.0.1:PORT) closed its data-plane connection before sending on channel 2']);
  });

  it('refuses records on a writer closed without end-of-partition (cancelled), and after end-of-partition', async () => {
    const sender = await plane('tm-1');
    const receiver = await plane('tm-2');
    const writer = sender.plane.createWriter(receiver.address, 1);
    writer.emit('dropped with the cancellation', 1);
    writer.close();
    expect(() => writer.emit('after', 2)).toThrow(/^channel 1 to 127\.0\.0\.1:\d+ is closed$/);
    const ended = sender.plane.createWriter(receiver.address, 2);
    ended.emitEvent({ kind: 'end-of-partition' });
    expect(() => ended.emit('late', 3)).toThrow(/^channel 2 to 127\.0\.0\.1:\d+ is past its end-of-partition$/);
    expect(() => ended.emitEvent({ kind: 'watermark', timestamp: 3 })).toThrow(/^channel 2 to 127\.0\.0\.1:\d+ is past its end-of-partition$/);
  });

  it('rejects a malformed peer address and a second receiver for one channel', async () => {
    const { plane: p } = await plane('tm-1');
    expect(() => p.createWriter('localhost', 1)).toThrow('bad data-plane address "localhost": expected host:port with a port from 1 to 65535');
    p.registerInput(1);
    expect(() => p.registerInput(1)).toThrow('input channel 1 is already registered');
  });
});
