import type { Socket } from 'node:net';
import type { OutgoingFrame } from './batch-frame.ts';
import { ChallengeResponse } from '../security/challenge-response.ts';
import { FrameType, MAX_UNAUTHENTICATED_FRAME, frameTypeName } from './frame.ts';
import { decodeAuthFrame, decodeClose, decodeCredit, decodeHandshake, encodeAuthFrame, encodeClose, encodeCredit, encodeHandshake } from './frame-codec.ts';
import type { Handshake } from './frame-codec.ts';
import { FrameDecoder } from './frame-decoder.ts';
import { ProtocolError } from './protocol-error.ts';
import type { CreditLink, RemoteInputChannel } from './remote-input-channel.ts';
import type { RemoteChannelWriter, SendLink } from './remote-channel-writer.ts';

/** What a connection needs from the data plane that owns it. */
export interface ConnectionOwner {
  readonly localHandshake: Handshake;
  /** The run key both ends prove they hold before their handshakes; null: authentication disabled. */
  readonly runKey: Buffer | null;
  readonly maxFrameSize: number;
  /** How long a peer may take to authenticate and send its handshake, in milliseconds. */
  readonly handshakeTimeout: number;
  /** The channel a DATA/EVENT frame goes to; may create an unregistered one; throws a ProtocolError past the limit. */
  inputFor(channelId: number): RemoteInputChannel;
  /** A dialled peer is still at an older fencing token: dial it again shortly, keeping the writers. */
  redial(connection: Connection, peerFencingToken: number): void;
  handshakeCompleted(connection: Connection): void;
  /** The connection is gone; `error` is null for a clean close or one this process asked for. */
  connectionClosed(connection: Connection, error: Error | null): void;
}

/** The roles of the two ends in the challenge-response: a proof made as one is never accepted as the other. */
export const DIALLER = 'sluice/data/dialler';
export const ACCEPTOR = 'sluice/data/acceptor';

/** How long a closing socket may linger before it is destroyed. */
const CLOSE_LINGER_MS = 1000;

/**
 * One TCP connection to another process, carrying the frames of every channel between the two
 * in both directions. It opens with a mutual challenge-response over the run key, then the
 * handshakes (frame.ts); a peer that fails is dropped before anything else it sent is read. Frames are written corked once per tick (one writev for many frames) and
 * writing stops when the socket's buffer is full, resuming on 'drain'; so a channel's frames
 * wait in its CreditGate, never unboundedly in the socket. Any protocol error closes this
 * connection only, with an error naming the peer; its channels fail, the process carries on.
 */
export class Connection implements SendLink, CreditLink {
  private socket: Socket | null = null;
  private decoder: FrameDecoder | null = null;
  /** When dialling this peer gives up (dialled connections only), as Date.now(). */
  dialDeadline = 0;
  private peerHello: Handshake | null = null;
  /** This end of the challenge-response, new for every socket; null when authentication is off. */
  private exchange: ChallengeResponse | null = null;
  private peerNonce: Buffer | null = null;
  private peerProven = false;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private writable = false;
  private corked = false;
  private closed = false;
  private peerCloseReason: string | null = null;
  private socketError: Error | null = null;
  private readonly writers = new Map<number, RemoteChannelWriter>();
  private readonly inputs = new Set<RemoteInputChannel>();
  private readonly waiting = new Set<RemoteChannelWriter>();
  private readonly creditsDue = new Set<RemoteInputChannel>();
  private creditFlushScheduled = false;
  private writersReleasedListeners: (() => void)[] = [];
  private readonly socketClosed: Promise<void>;
  private resolveSocketClosed!: () => void;

  /** `remote` is `host:port` of the other end, as dialled (`dialled`) or as accepted. */
  constructor(
    private readonly owner: ConnectionOwner,
    readonly remote: string,
    private readonly dialled: boolean,
  ) {
    this.socketClosed = new Promise((resolve) => (this.resolveSocketClosed = resolve));
  }

  /** The peer as named in errors: its process id once known, and its address. */
  get peer(): string {
    return this.peerHello === null ? this.remote : `${this.peerHello.processId} (${this.remote})`;
  }

  /** Where the peer accepts data connections: as dialled, or as its handshake says. */
  get peerDataAddress(): string {
    return this.peerHello?.dataAddress || this.remote;
  }

  /** The peer's handshake, null until it arrived. */
  get peerHandshake(): Handshake | null {
    return this.peerHello;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes the socket holds that the kernel has not taken yet. */
  get socketBufferedBytes(): number {
    return this.socket?.writableLength ?? 0;
  }

  attach(socket: Socket): void {
    this.socket = socket;
    // Frames still being split from a socket that was let go (see detach) are ignored.
    this.decoder = new FrameDecoder(MAX_UNAUTHENTICATED_FRAME, (type, channelId, payload) => {
      if (this.socket === socket) this.onFrame(type, channelId, payload);
    });
    const key = this.owner.runKey;
    this.exchange = key === null ? null : this.dialled ? new ChallengeResponse(key, DIALLER, ACCEPTOR) : new ChallengeResponse(key, ACCEPTOR, DIALLER);
    this.peerNonce = null;
    this.peerProven = key === null;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('error', (error) => (this.socketError = error));
    socket.on('close', this.onSocketClose);
    socket.write(this.exchange === null ? encodeHandshake(this.owner.localHandshake) : encodeAuthFrame(FrameType.CHALLENGE, this.exchange.nonce));
    this.handshakeTimer = setTimeout(() => {
      this.abort(new ProtocolError('bad handshake', `no handshake within ${this.owner.handshakeTimeout} ms`).fromPeer(this.peer));
    }, this.owner.handshakeTimeout);
  }

  addWriter(writer: RemoteChannelWriter): void {
    if (this.closed) {
      writer.fail(new Error(`data-plane connection to ${this.peer} is closed`));
      return;
    }
    if (this.writers.has(writer.channelId)) {
      throw new Error(`channel ${writer.channelId} to ${this.peer} already has a writer`);
    }
    this.writers.set(writer.channelId, writer);
    if (this.peerHello !== null) writer.gate.grant(this.peerHello.creditsPerChannel);
  }

  send(writer: RemoteChannelWriter): void {
    if (this.closed) return;
    if (this.writable) this.pump(writer);
    else this.waiting.add(writer);
  }

  release(writer: RemoteChannelWriter): void {
    if (this.writers.get(writer.channelId) === writer) this.writers.delete(writer.channelId);
    this.waiting.delete(writer);
    if (this.writers.size === 0) this.notifyWritersReleased();
  }

  /** Resolves once no writer uses this connection: every channel sent its last frame or was cancelled. */
  whenWritersReleased(): Promise<void> {
    if (this.writers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.writersReleasedListeners.push(resolve));
  }

  returnCredit(channel: RemoteInputChannel): void {
    this.creditsDue.add(channel);
    if (!this.creditFlushScheduled) {
      this.creditFlushScheduled = true;
      process.nextTick(this.flushCredits);
    }
  }

  /** Closes deliberately: tells the peer why, fails channels still in use, resolves once the socket is gone. */
  close(reason: string): Promise<void> {
    if (!this.closed) {
      const error = this.hasActiveChannels() ? new Error(`data-plane connection to ${this.peer} closed: ${reason}`) : null;
      this.shutDown(reason);
      this.finish(error, false);
    }
    return this.socketClosed;
  }

  /** Dialling the peer failed for good. */
  failConnect(error: Error): void {
    if (this.closed) return;
    this.resolveSocketClosed();
    this.finish(error, true);
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      this.decoder!.push(chunk);
    } catch (error) {
      this.abort(error instanceof ProtocolError ? error.fromPeer(this.peer) : (error as Error));
    }
  };

  private readonly onFrame = (type: FrameType, channelId: number, payload: Buffer): void => {
    if (this.closed) return;
    if (this.peerHello === null) {
      this.onOpeningFrame(type, payload);
      return;
    }
    switch (type) {
      case FrameType.DATA:
      case FrameType.EVENT: {
        const input = this.owner.inputFor(channelId);
        input.deliver(this, type, payload);
        this.inputs.add(input);
        break;
      }
      case FrameType.CREDIT: {
        const credits = decodeCredit(payload);
        // Credits for a channel already released (after its end-of-partition) are moot.
        const writer = this.writers.get(channelId);
        if (writer !== undefined) {
          writer.gate.grant(credits);
          this.send(writer);
        }
        break;
      }
      case FrameType.CLOSE:
        this.peerCloseReason = decodeClose(payload);
        break;
      case FrameType.HANDSHAKE:
      case FrameType.CHALLENGE:
      case FrameType.PROOF:
        throw new ProtocolError('protocol violation', `a ${frameTypeName(type)} frame after the handshake`);
    }
  };

  /** CHALLENGE, PROOF (authentication on), then HANDSHAKE: anything else closes the connection. */
  private onOpeningFrame(type: FrameType, payload: Buffer): void {
    if (type === FrameType.CLOSE) throw new ProtocolError('bad handshake', `the peer closed the connection before the handshake: ${decodeClose(payload)}`);
    const exchange = this.exchange;
    if (!this.peerProven && exchange !== null) {
      if (this.peerNonce === null) {
        if (type !== FrameType.CHALLENGE) {
          throw new ProtocolError('authentication failed', `expected a CHALLENGE frame first, got ${frameTypeName(type)}${type === FrameType.HANDSHAKE ? ' (the peer has authentication disabled)' : ''}`);
        }
        this.peerNonce = decodeAuthFrame(FrameType.CHALLENGE, payload);
        this.socket!.write(encodeAuthFrame(FrameType.PROOF, exchange.proofFor(this.peerNonce)));
        return;
      }
      if (type !== FrameType.PROOF) throw new ProtocolError('authentication failed', `expected a PROOF frame, got ${frameTypeName(type)}`);
      if (!exchange.verify(this.peerNonce, decodeAuthFrame(FrameType.PROOF, payload))) {
        throw new ProtocolError('authentication failed', "wrong PROOF: the peer does not hold this run's key (or replays an old exchange)");
      }
      this.peerProven = true;
      this.socket!.write(encodeHandshake(this.owner.localHandshake));
      return;
    }
    if (type !== FrameType.HANDSHAKE) {
      throw new ProtocolError('bad handshake', `expected a HANDSHAKE frame first, got ${frameTypeName(type)}${type === FrameType.CHALLENGE ? ' (the peer requires authentication, which this process has disabled)' : ''}`);
    }
    this.acceptHandshake(decodeHandshake(payload));
  }

  private acceptHandshake(hello: Handshake): void {
    const local = this.owner.localHandshake;
    if (hello.jobId !== local.jobId) {
      throw new ProtocolError('bad handshake', `job id "${hello.jobId}" does not match this process's job "${local.jobId}"`);
    }
    if (hello.fencingToken !== local.fencingToken) {
      // Processes learn of a new job attempt one by one: a peer still at an older attempt is
      // dialled again until it catches up (within connectTimeout), and a dialler already at a
      // newer one is left to do so. Only older attempts reaching newer ones are errors.
      if (this.dialled && hello.fencingToken < local.fencingToken) {
        this.detach();
        this.owner.redial(this, hello.fencingToken);
        return;
      }
      if (!this.dialled && hello.fencingToken > local.fencingToken) {
        this.shutDown(`this process is still at fencing token ${local.fencingToken}`);
        this.finish(null, false);
        return;
      }
      throw new ProtocolError('bad handshake', `fencing token ${hello.fencingToken} does not match this process's ${local.fencingToken}`);
    }
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.peerHello = hello;
    this.decoder!.maxFrameLength = this.owner.maxFrameSize;
    for (const writer of this.writers.values()) writer.gate.grant(hello.creditsPerChannel);
    this.owner.handshakeCompleted(this);
    this.onDrain();
  }

  private readonly onDrain = (): void => {
    if (this.closed || this.peerHello === null) return;
    this.writable = true;
    if (this.waiting.size === 0) return;
    const ready = [...this.waiting];
    this.waiting.clear();
    for (const writer of ready) this.send(writer);
  };

  private pump(writer: RemoteChannelWriter): void {
    let frame: OutgoingFrame | null;
    while (this.writable && (frame = writer.nextFrame()) !== null) this.write(frame);
    if (!this.writable && writer.gate.queuedFrames > 0) this.waiting.add(writer);
    if (writer.drained) this.release(writer);
  }

  private write(frame: OutgoingFrame): void {
    const socket = this.socket!;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(this.uncork);
    }
    let more = socket.write(frame.head);
    if (frame.body !== null) more = socket.write(frame.body);
    if (!more) this.writable = false;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket?.uncork();
  };

  private readonly flushCredits = (): void => {
    this.creditFlushScheduled = false;
    if (this.closed || this.socket === null) return;
    for (const channel of this.creditsDue) {
      // After end-of-partition the sender needs no more credit.
      if (channel.pendingCredits > 0 && !channel.done) this.write({ head: encodeCredit(channel.channelId, channel.pendingCredits), body: null, bytes: 0 });
      channel.pendingCredits = 0;
    }
    this.creditsDue.clear();
  };

  private readonly onSocketClose = (): void => {
    this.resolveSocketClosed();
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    if (this.closed) return;
    let error: Error | null;
    try {
      this.decoder!.end();
      if (this.peerCloseReason !== null) {
        error = this.hasActiveChannels() ? new Error(`peer ${this.peer} closed the connection: ${this.peerCloseReason}`) : null;
      } else {
        const cause = this.socketError === null ? '' : `: ${this.socketError.message}`;
        error = new Error(`data-plane connection to peer ${this.peer} lost${cause}`);
      }
    } catch (truncated) {
      error = (truncated as ProtocolError).fromPeer(this.peer);
    }
    this.finish(error, true);
  };

  /** Lets go of the socket without closing the connection, before dialling the peer again. */
  private detach(): void {
    const socket = this.socket!;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    socket.off('data', this.onData);
    socket.off('drain', this.onDrain);
    socket.off('close', this.onSocketClose);
    if (this.corked) this.uncork();
    socket.destroy();
    this.socket = null;
    this.writable = false;
  }

  /** A protocol error: tell the peer, close, fail the channels. */
  private abort(error: Error): void {
    if (this.closed) return;
    this.shutDown(error.message);
    this.finish(error, true);
  }

  private shutDown(reason: string): void {
    const socket = this.socket;
    if (socket === null) {
      this.resolveSocketClosed();
      return;
    }
    socket.off('data', this.onData);
    if (this.corked) this.uncork();
    socket.end(encodeClose(reason));
    setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
  }

  private finish(error: Error | null, report: boolean): void {
    this.closed = true;
    this.writable = false;
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    const failure = error ?? new Error(`data-plane connection to ${this.peer} closed`);
    for (const writer of this.writers.values()) writer.fail(failure);
    for (const input of this.inputs) input.fail(failure);
    this.writers.clear();
    this.waiting.clear();
    this.notifyWritersReleased();
    this.owner.connectionClosed(this, report ? error : null);
  }

  private notifyWritersReleased(): void {
    const listeners = this.writersReleasedListeners;
    this.writersReleasedListeners = [];
    for (const listener of listeners) listener();
  }

  private hasActiveChannels(): boolean {
    if (this.writers.size > 0) return true;
    for (const input of this.inputs) if (!input.done) return true;
    return false;
  }
}
