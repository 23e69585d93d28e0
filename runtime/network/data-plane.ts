import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { listenOn } from '../core/listen.ts';
import { logger as runtimeLogger } from '../core/logger.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectWithRetry } from './connect-with-retry.ts';
import { Connection } from './connection.ts';
import type { ConnectionOwner } from './connection.ts';
import { PROTOCOL_VERSION } from './frame-codec.ts';
import type { Handshake } from './frame-codec.ts';
import { MsgpackSerializer } from './msgpack-serializer.ts';
import type { NetworkOptions } from './network-options.ts';
import { formatPeerAddress, parsePeerAddress } from '../core/peer-address.ts';
import { ProtocolError } from './protocol-error.ts';
import { RemoteChannelWriter } from './remote-channel-writer.ts';
import { RemoteInputChannel } from './remote-input-channel.ts';
import { UnauthenticatedConnections } from '../security/unauthenticated-connections.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';

/** Pause before dialling again a peer found at an older fencing token. */
const REDIAL_DELAY_MS = 50;

export interface DataPlaneOptions {
  readonly jobId: string;
  /** The job's attempt number; peers must agree on it (see `setFencingToken`). */
  readonly fencingToken: number;
  /** This process's name in peers' logs and errors, e.g. the TaskManager id. */
  readonly processId: string;
  readonly network: NetworkOptions;
  /** The run key peers must prove they hold (security/challenge-response.ts); null: authentication disabled. */
  readonly runKey: Buffer | null;
  /** How long a peer may take to authenticate and handshake, in ms; default: network.connectTimeout. */
  readonly handshakeTimeout?: number;
  /** Accepted connections that may be authenticating at once; one more is closed at once. Default 32. */
  readonly maxUnauthenticatedConnections?: number;
  readonly logger?: Logger;
}

const DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 32;

/**
 * A process's end of the data plane (Flink's ConnectionManager): it listens for peers, keeps
 * one TCP connection per peer process — dialled on first use, or the peer's own connection
 * reused when the peer dialled first — and maps channel ids to writers and input channels.
 *
 * Data before registration: a peer may start sending on a channel before this process's task
 * has called `registerInput` for it. Such frames are held, not rejected: the sender's credit
 * bounds them to `creditsPerChannel` frames per channel, and at most `maxUnregisteredChannels`
 * channels may wait like this; a frame for one more fails that connection with a clear error.
 *
 * Peers: every connection opens with a mutual challenge-response over the run key (connection.ts);
 * at most `maxUnauthenticatedConnections` accepted ones may be at it at once, each for at most the
 * handshake timeout, with frames of at most 4 KiB.
 *
 * Failures (protocol errors, lost connections, unreachable peers) fail the affected channels —
 * a writer throws on its next emit and its `availability()` rejects; an input channel throws
 * from `poll()` once it has handed out what arrived before — and are reported to `onError`.
 */
export class DataPlane implements ConnectionOwner {
  private readonly options: DataPlaneOptions;
  private readonly logger: Logger;
  private hello: Handshake;
  private server: Server | null = null;
  private readonly pool = new Map<string, Connection>();
  private readonly connections = new Set<Connection>();
  private readonly inputs = new Map<number, RemoteInputChannel>();
  private unregisteredInputs = 0;
  private readonly errorListeners: ((error: Error) => void)[] = [];
  private readonly defaultSerializer = new MsgpackSerializer();
  private readonly dialling = new AbortController();
  private closed = false;
  /** Accepted connections before their handshake, bounded in number (their deadline is the handshake timeout). */
  private readonly unauthenticated: UnauthenticatedConnections;
  private readonly unauthenticatedSockets = new Map<Connection, Socket>();

  constructor(options: DataPlaneOptions) {
    this.options = options;
    this.logger = options.logger ?? runtimeLogger.child({ component: 'data-plane', processId: options.processId });
    this.unauthenticated = new UnauthenticatedConnections({
      port: 'data plane',
      deadline: null,
      limit: options.maxUnauthenticatedConnections ?? DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS,
      logger: this.logger,
    });
    this.hello = {
      protocolVersion: PROTOCOL_VERSION,
      jobId: options.jobId,
      fencingToken: options.fencingToken,
      processId: options.processId,
      dataAddress: '',
      creditsPerChannel: options.network.creditsPerChannel,
    };
  }

  get localHandshake(): Handshake {
    return this.hello;
  }

  get maxFrameSize(): number {
    return this.options.network.maxFrameSize;
  }

  get handshakeTimeout(): number {
    return this.options.handshakeTimeout ?? this.options.network.connectTimeout;
  }

  get runKey(): Buffer | null {
    return this.options.runKey;
  }

  /** `host:port` peers use to reach this process; '' until `listen` resolved. */
  get address(): string {
    return this.hello.dataAddress;
  }

  /** Open connections (dialled or accepted). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Channels holding data that arrived before `registerInput`. */
  get unregisteredChannels(): number {
    return this.unregisteredInputs;
  }

  /** Bytes encoded or buffered for sending and not yet taken by the kernel, over all connections. */
  get sendBufferedBytes(): number {
    let bytes = 0;
    for (const connection of this.connections) bytes += connection.socketBufferedBytes;
    return bytes;
  }

  /**
   * Accepts peers on `host:port` (port 0 picks a free one). `advertisedHost` is what peers should
   * dial, e.g. the pod IP; by default the bind host, or this machine's hostname when binding all
   * interfaces. Resolves to the advertised `host:port`.
   */
  async listen(host: string, port: number, advertisedHost: string = host === '0.0.0.0' || host === '::' ? hostname() : host): Promise<string> {
    if (this.server !== null) throw new Error(`data plane already listens on ${this.address}`);
    const server = createServer(this.accept);
    this.server = server;
    let actualPort: number;
    try {
      actualPort = await listenOn('data plane', server, host, port);
    } catch (error) {
      this.server = null;
      throw error;
    }
    this.hello = { ...this.hello, dataAddress: formatPeerAddress(advertisedHost, actualPort) };
    server.on('error', (error) => this.report(new Error(`data-plane server on ${this.address}: ${error.message}`)));
    return this.hello.dataAddress;
  }

  /** The sending end of channel `channelId` towards the process listening at `peerAddress`. */
  createWriter(peerAddress: string, channelId: number, serializer: TypeSerializer = this.defaultSerializer): RemoteChannelWriter {
    if (this.closed) throw new Error('data plane is closed');
    const connection = this.pool.get(peerAddress) ?? this.dial(peerAddress);
    const writer = new RemoteChannelWriter(channelId, connection, serializer, this.options.network);
    connection.addWriter(writer);
    return writer;
  }

  /**
   * The receiving end of channel `channelId`, with whatever already arrived for it. Given the
   * producer's data address, the channel also fails when that producer's connection closes before
   * any data came on it; without, only data that arrived ties it to a connection.
   */
  registerInput(channelId: number, serializer: TypeSerializer = this.defaultSerializer, producerAddress?: string): RemoteInputChannel {
    if (this.closed) throw new Error('data plane is closed');
    const existing = this.inputs.get(channelId);
    let channel: RemoteInputChannel;
    if (existing !== undefined && !existing.registered) {
      this.unregisteredInputs--;
      channel = existing;
    } else if (existing !== undefined && !existing.done) {
      throw new Error(`input channel ${channelId} is already registered`);
    } else {
      channel = new RemoteInputChannel(channelId, this.options.network.creditsPerChannel);
      this.inputs.set(channelId, channel);
    }
    channel.producer = producerAddress ?? null;
    channel.register(serializer);
    return channel;
  }

  /** Connection failures and protocol errors; without a listener they are logged. */
  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /**
   * A new attempt of the job starts: connections of the old attempt close (their channels fail)
   * and only peers of the new attempt are accepted from now on.
   */
  async setFencingToken(fencingToken: number): Promise<void> {
    this.hello = { ...this.hello, fencingToken };
    this.inputs.clear();
    this.unregisteredInputs = 0;
    await Promise.all([...this.connections].map((connection) => connection.close(`fencing token advanced to ${fencingToken}`)));
  }

  /**
   * Closes every connection and stops listening. With `drainTimeout` (ms), first waits up to that
   * long for writers closed after end-of-partition to send what they queued (a finished task's
   * output); channels still in use when the connections close fail.
   */
  async close(drainTimeout = 0): Promise<void> {
    if (this.closed) return;
    if (drainTimeout > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainTimeout)));
      await Promise.race([Promise.all([...this.connections].map((connection) => connection.whenWritersReleased())), timeout]);
      clearTimeout(timer);
    }
    if (this.closed) return;
    this.closed = true;
    this.dialling.abort();
    const server = this.server;
    const stopped = server === null ? Promise.resolve() : new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((connection) => connection.close('data plane shut down')));
    await stopped;
  }

  inputFor(channelId: number): RemoteInputChannel {
    const existing = this.inputs.get(channelId);
    if (existing !== undefined) return existing;
    const limit = this.options.network.maxUnregisteredChannels;
    if (this.unregisteredInputs >= limit) {
      throw new ProtocolError('protocol violation', `data for channel ${channelId}, but ${limit} unregistered channels already hold data (network.maxUnregisteredChannels)`);
    }
    const channel = new RemoteInputChannel(channelId, this.options.network.creditsPerChannel);
    this.inputs.set(channelId, channel);
    this.unregisteredInputs++;
    return channel;
  }

  handshakeCompleted(connection: Connection): void {
    this.admit(connection);
    const peerAddress = connection.peerHandshake!.dataAddress;
    // A peer that dialled us is reused for our channels towards it; if both dialled at once, each keeps its own.
    if (peerAddress !== '' && !this.pool.has(peerAddress)) this.pool.set(peerAddress, connection);
    this.logger.debug({ peer: connection.peer }, 'data-plane connection established');
  }

  connectionClosed(connection: Connection, error: Error | null): void {
    this.admit(connection);
    this.connections.delete(connection);
    for (const [address, pooled] of this.pool) if (pooled === connection) this.pool.delete(address);
    const producer = connection.peerDataAddress;
    if (![...this.connections].some((other) => other.peerDataAddress === producer)) {
      for (const input of this.inputs.values()) {
        if (input.producer === producer && !input.bound && !input.done) {
          input.fail(error ?? new Error(`producer ${connection.peer} closed its data-plane connection before sending on channel ${input.channelId}`));
        }
      }
    }
    if (error !== null) this.report(error);
  }

  private dial(peerAddress: string): Connection {
    parsePeerAddress(peerAddress);
    const connection = new Connection(this, peerAddress, true);
    this.pool.set(peerAddress, connection);
    this.connections.add(connection);
    this.connect(connection, Date.now() + this.options.network.connectTimeout, 0, null);
    return connection;
  }

  redial(connection: Connection, peerFencingToken: number): void {
    this.logger.debug({ peer: connection.peer, peerFencingToken }, 'data-plane peer is at an older fencing token; dialling again');
    this.connect(connection, connection.dialDeadline, REDIAL_DELAY_MS, peerFencingToken);
  }

  /** Dials `connection`'s peer (after `delay` ms) and attaches the socket, or fails the connection at `deadline`. */
  private connect(connection: Connection, deadline: number, delay: number, peerBehindAt: number | null): void {
    connection.dialDeadline = deadline;
    const { host, port } = parsePeerAddress(connection.remote);
    const timeout = this.options.network.connectTimeout;
    const remaining = deadline - Date.now() - delay;
    if (remaining <= 0) {
      const behind = `data-plane peer ${connection.remote} is still at fencing token ${peerBehindAt}, behind this process's ${this.hello.fencingToken}, after ${timeout} ms`;
      connection.failConnect(new Error(peerBehindAt === null ? `cannot connect to data-plane peer ${connection.remote} within ${timeout} ms` : behind));
      return;
    }
    const signal = this.dialling.signal;
    sleep(delay, undefined, { signal })
      .then(() => connectWithRetry(host, port, remaining, signal))
      .then(
        (socket) => {
          if (connection.isClosed) socket.destroy();
          else connection.attach(socket);
        },
        (error: Error) => connection.failConnect(new Error(`cannot connect to data-plane peer ${connection.remote} within ${timeout} ms: ${error.message}`)),
      );
  }

  private readonly accept = (socket: Socket): void => {
    if (this.closed) {
      socket.destroy();
      return;
    }
    if (!this.unauthenticated.accept(socket)) return;
    const connection = new Connection(this, formatPeerAddress(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0), false);
    this.connections.add(connection);
    this.unauthenticatedSockets.set(connection, socket);
    connection.attach(socket);
  };

  /** An accepted connection handshook or closed: it no longer counts as unauthenticated. */
  private admit(connection: Connection): void {
    const socket = this.unauthenticatedSockets.get(connection);
    if (socket === undefined) return;
    this.unauthenticatedSockets.delete(connection);
    this.unauthenticated.admitted(socket);
  }

  private report(error: Error): void {
    if (this.errorListeners.length === 0) this.logger.error({ err: error }, error.message);
    for (const listener of this.errorListeners) listener(error);
  }
}
