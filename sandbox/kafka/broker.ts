import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ensureBinaries, KAFKA_VERSION, PROJECT_ROOT } from '../binaries/binaries.ts';

/**
 * A single-node Apache Kafka broker in KRaft mode (broker and controller in one JVM), run from the
 * Maven Central jars that `sandbox/kafka/pom.xml` pins, on the machine's Java 17 or newer.
 */

export { KAFKA_VERSION };
/** The recipe in sandbox/binaries/binaries.ts that fetches the broker's jars. */
export const KAFKA_RECIPE = 'kafka';
/** The broker's port as a Service in the sandbox: `kafka.kafka:9092`. */
export const KAFKA_SERVICE_PORT = 9092;

export interface KafkaBrokerOptions {
  /** Directory for the configuration, the log (`broker.log`) and the data (`data/`); created if missing. */
  dir: string;
  /** The jars' directory (`ensureKafkaJars()`); default: fetched (or found cached) now. */
  libs?: string;
  /** Address to listen on and to advertise; a loopback address (127.0.0.0/8). Default 127.0.0.1. */
  host?: string;
  /** Client port; default a free one. The controller listens on another free port of `host`. */
  port?: number;
  /** Controller (KRaft quorum) port; default a free one. */
  controllerPort?: number;
  /** JVM heap in MiB (default 512). */
  heapMb?: number;
  /**
   * Keep running after this process exits (`npm run kafka -- up`). Otherwise the broker is this
   * process's child and is killed when it dies (through `setpriv --pdeathsig`, where present).
   */
  detached?: boolean;
  /** How long to wait for "Kafka Server started" (default 120 s: a loaded machine starts a JVM slowly). */
  startTimeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface KafkaBroker {
  /** `host:port`, what clients are given. */
  readonly bootstrapServers: string;
  readonly host: string;
  readonly port: number;
  readonly controllerPort: number;
  /** The JVM's process id. */
  readonly pid: number;
  /** The broker's own log (stdout and stderr of the JVM). */
  readonly logPath: string;
  /** Milliseconds from spawning the JVM to "Kafka Server started" (storage format not included). */
  readonly startMs: number;
  /** Resolves with the exit code (or signal name) when the JVM exits (attached brokers only). */
  readonly exited: Promise<number | string>;
  /** SIGTERM (a clean shutdown), SIGKILL after `graceMs` (default 30 s); resolves once the JVM is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Java or the broker is missing or failed: one line saying what and what to do. */
export class KafkaBrokerError extends Error {
  override readonly name = 'KafkaBrokerError';
}

/** Returns the directory of the broker's jars, fetching them from Maven Central on first use. */
export async function ensureKafkaJars(log?: (line: string) => void): Promise<string> {
  requireJava(); // Maven needs it too: say what is missing first
  // test files start brokers in parallel: one fetches while the others wait, so that no JVM starts
  // on a libs directory that another process is replacing
  const paths = await withLock(join(PROJECT_ROOT, '.cache', `.${KAFKA_RECIPE}.lock`), () => ensureBinaries([KAFKA_RECIPE], log ? { log } : {}));
  return paths[KAFKA_RECIPE]!;
}

/**
 * Runs `action` while holding a lock between processes: a directory created atomically, with the
 * holder's pid in it. A lock whose holder died (or that has no pid after 10 s) is taken over.
 */
async function withLock<T>(path: string, action: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(join(path, 'pid'), 'utf8'));
    } catch {
      holder = undefined;
    }
    const abandoned = holder === undefined ? Date.now() - statMtime(path) > 10_000 : !alive(holder);
    if (abandoned) rmSync(path, { recursive: true, force: true });
    else await later(200, undefined);
  }
  writeFileSync(join(path, 'pid'), String(process.pid));
  try {
    return await action();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}

function statMtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Checks that `java` runs and is 17 or newer (what Kafka 4 brokers need); returns its major version. */
export function requireJava(): number {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new KafkaBrokerError('Java is not installed or not on PATH: the Kafka broker needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless)');
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(probe.stderr);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < 17) throw new KafkaBrokerError(`Java ${major || '(unknown version)'} is on PATH, the Kafka broker needs Java 17 or newer: ${probe.stderr.split('\n')[0]}`);
  return major;
}

/** True for an IPv4 address in 127.0.0.0/8 (all that tests, tools and sandbox pods may use). */
function isLoopback(host: string): boolean {
  return isIP(host) === 4 && host.startsWith('127.');
}

/** A TCP port of `host` that was free a moment ago. */
export function freePortOn(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** A KRaft cluster id: 16 random bytes, URL-safe base64 (Kafka's Uuid; never starting with '-'). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** `server.properties` of a single-node broker+controller, tuned to start fast and to need one replica. */
export function serverProperties(opts: { host: string; port: number; controllerPort: number; dataDir: string }): string {
  const settings: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${opts.host}:${opts.controllerPort}`,
    listeners: `PLAINTEXT://${opts.host}:${opts.port},CONTROLLER://${opts.host}:${opts.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${opts.host}:${opts.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': opts.dataDir,
    // a topic is created on purpose, so that a missing one is an error rather than a new empty topic
    'auto.create.topics.enable': false,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    // two cores: a few threads are enough
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 2,
  };
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

/** Log4j 2 configuration: INFO to stdout, without the multi-page configuration dumps. */
const LOG4J2_PROPERTIES = `status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.config.name = org.apache.kafka.common.config.AbstractConfig
logger.config.level = warn
logger.kafkaconfig.name = kafka.server.KafkaConfig
logger.kafkaconfig.level = warn
`;

const STARTED_LINE = 'Kafka Server started';

function jvmArgs(libs: string, dir: string, heapMb: number): string[] {
  return [
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 256)}m`,
    // what kafka-run-class.sh sets
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    '-cp',
    `${libs}/*`,
  ];
}

/**
 * Writes the configuration under `dir`, formats the KRaft storage on first use (a later start with
 * the same `dir` keeps the topics), starts the JVM and resolves once the broker logs that it started
 * (it is then unfenced and serves clients). Fails with the log's last lines if the JVM exits first.
 */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<KafkaBroker> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new KafkaBrokerError(`Kafka broker host must be a loopback address (127.0.0.0/8), not "${host}"`);
  const log = options.log ?? (() => {});
  let libs = options.libs;
  if (libs === undefined) libs = await ensureKafkaJars(log);
  else requireJava();
  const dir = resolve(options.dir);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePortOn(host));
  let controllerPort = options.controllerPort ?? (await freePortOn(host));
  while (controllerPort === port) controllerPort = await freePortOn(host);
  const heapMb = options.heapMb ?? 512;
  writeFileSync(join(dir, 'server.properties'), serverProperties({ host, port, controllerPort, dataDir }));
  writeFileSync(join(dir, 'log4j2.properties'), LOG4J2_PROPERTIES);
  const logPath = join(dir, 'broker.log');

  if (!existsSync(join(dataDir, 'meta.properties'))) {
    log(`formatting KRaft storage in ${dataDir}`);
    const format = spawnSync(
      'java',
      [...jvmArgs(libs, dir, 256), 'kafka.tools.StorageTool', 'format', '--ignore-formatted', '-t', clusterId(), '-c', join(dir, 'server.properties')],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) {
      const tail = `${format.stdout}${format.stderr}`.trim().split('\n').slice(-10).join('\n');
      throw new KafkaBrokerError(`formatting the Kafka storage in ${dataDir} failed (exit ${format.status ?? format.signal}):\n${tail}`);
    }
  }

  const logFd = openSync(logPath, 'a');
  const logStart = readFileSync(logPath).length;
  const java = ['java', ...jvmArgs(libs, dir, heapMb), 'kafka.Kafka', join(dir, 'server.properties')];
  const [file, ...args] = !options.detached && hasSetpriv() ? ['setpriv', '--pdeathsig', 'KILL', ...java] : java;
  const spawnedAt = Date.now();
  const child: ChildProcess = spawn(file!, args, { cwd: dir, stdio: ['ignore', logFd, logFd], detached: options.detached ?? false });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) throw new KafkaBrokerError(`cannot start java for the Kafka broker in ${dir}`);
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done((exitedWith = signal ?? code ?? -1))));
  if (options.detached) child.unref();

  const timeoutMs = options.startTimeoutMs ?? 120_000;
  const logTail = () => readFileSync(logPath, 'utf8').slice(logStart).trim().split('\n').slice(-15).join('\n');
  const started = await waitForLine(logPath, logStart, STARTED_LINE, () => exitedWith !== undefined || !alive(pid), timeoutMs);
  if (started !== 'found') {
    if (started === 'timeout') {
      process.kill(pid, 'SIGKILL');
      await exited;
    }
    throw new KafkaBrokerError(
      started === 'timeout'
        ? `the Kafka broker did not start within ${timeoutMs / 1000} s (log ${logPath}):\n${logTail()}`
        : `the Kafka broker exited while starting (${exitedWith ?? 'gone'}; log ${logPath}):\n${logTail()}`,
    );
  }
  const startMs = Date.now() - spawnedAt;
  log(`Kafka ${KAFKA_VERSION} broker at ${host}:${port} started in ${(startMs / 1000).toFixed(1)} s (pid ${pid})`);

  return {
    bootstrapServers: `${host}:${port}`,
    host,
    port,
    controllerPort,
    pid,
    logPath,
    startMs,
    exited,
    stop: (graceMs = 30_000) => stopProcess(pid, graceMs, options.detached ? undefined : exited),
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once `pid` is gone. */
export async function stopProcess(pid: number, graceMs: number, exited?: Promise<unknown>): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const gone = () => (exited ? Promise.race([exited.then(() => true), later(100, false)]) : later(100, !alive(pid)));
  const deadline = Date.now() + graceMs;
  while (!(await gone())) {
    if (Date.now() > deadline) {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      if (exited) await exited;
      else while (alive(pid)) await later(50, undefined);
      return;
    }
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function later<T>(ms: number, value: T): Promise<T> {
  return new Promise((done) => setTimeout(() => done(value), ms));
}

let setpriv: boolean | undefined;
function hasSetpriv(): boolean {
  setpriv ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setpriv;
}

/** Reads `path` from `offset` on every 100 ms until a line contains `needle`, `gone()` or the timeout. */
async function waitForLine(path: string, offset: number, needle: string, gone: () => boolean, timeoutMs: number): Promise<'found' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  let position = offset;
  let pending = '';
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    const fd = openSync(path, 'r');
    try {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        position += n;
        const lines = (pending + buffer.toString('utf8', 0, n)).split('\n');
        pending = lines.pop() ?? '';
        if (lines.some((l) => l.includes(needle))) return 'found';
      }
    } finally {
      closeSync(fd);
    }
    if (gone()) return 'exited';
    if (Date.now() > deadline) return 'timeout';
    await later(100, undefined);
  }
}

/** Options of {@link kafkaContainer}. */
export interface KafkaContainerOptions {
  /** The jars' directory: `await ensureKafkaJars()` (the pod never fetches). */
  libs: string;
  /** Where the broker keeps its configuration, log and data: an absolute path the pod's process can write. */
  dir: string;
  /** Client port on the pod's address (default 9092); the controller listens on `port + 1`. */
  port?: number;
  /** JVM heap in MiB (default 512). */
  heapMb?: number;
}

/**
 * The container of a Kafka pod in the sandbox: `sandbox/kafka/cli.ts serve` in the foreground,
 * which formats the storage on first start, listens on and advertises the pod's own loopback
 * address (`status.podIP` through the downward API), and stops the broker cleanly on SIGTERM.
 * Behind a Service `kafka` in namespace `kafka` with port 9092, pods reach it as `kafka.kafka:9092`
 * (the broker then names its pod address in metadata, which pods and host processes can both dial).
 * The jars come from `libs` (`await ensureKafkaJars()` first), so the pod never fetches anything.
 */
export function kafkaContainer(options: KafkaContainerOptions) {
  const port = options.port ?? KAFKA_SERVICE_PORT;
  return {
    name: 'kafka',
    image: `sluice-sandbox/kafka:${KAFKA_VERSION}`,
    command: [process.execPath],
    args: [
      '--import',
      'tsx',
      join(PROJECT_ROOT, 'sandbox/kafka/cli.ts'),
      'serve',
      '--dir',
      options.dir,
      '--libs',
      options.libs,
      '--host',
      '$(POD_IP)',
      '--port',
      String(port),
      '--controller-port',
      String(port + 1),
      ...(options.heapMb === undefined ? [] : ['--heap', String(options.heapMb)]),
    ],
    workingDir: PROJECT_ROOT,
    env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
    ports: [{ name: 'kafka', containerPort: port, protocol: 'TCP' }],
    readinessProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 120 },
  };
}

