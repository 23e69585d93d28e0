import { resolve } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { Command, InvalidArgumentError } from 'commander';
import { alive, readState as readBackgroundState, removeState, writeState } from '../background/state-file.ts';
import { BinaryBuildError } from '../binaries/binaries.ts';
import { ensureKafkaJars, KAFKA_VERSION, KafkaBrokerError, startKafkaBroker, stopProcess } from './broker.ts';

/** What `up` leaves in the state directory for `down` and `status`. */
interface KafkaState {
  pid: number;
  bootstrapServers: string;
  logPath: string;
}

const STOP_TIMEOUT_MS = 30_000;
const readState = (dir: string) => readBackgroundState<KafkaState>(dir);

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new InvalidArgumentError('must be a TCP port');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** Known failures (no Java, no Maven, a broker that did not start) as one line on stderr, exit code 1. */
async function reporting(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof KafkaBrokerError || err instanceof BinaryBuildError)) throw err;
    console.error(`kafka: ${err.message}`);
    process.exitCode = 1;
  }
}

const program = new Command('kafka').description(`A single-node Apache Kafka ${KAFKA_VERSION} broker (KRaft) on this machine, from Maven Central jars`);
program.option('--dir <dir>', 'state directory', '.sandbox/kafka');
const stateDir = () => resolve(program.opts<{ dir: string }>().dir);

program
  .command('up')
  .description('start a broker in the background (does nothing if one already runs); prints export KAFKA_BOOTSTRAP_SERVERS=host:port')
  .option('--port <port>', 'client port on 127.0.0.1 (default: a free one)', port)
  .option('--heap <mb>', 'JVM heap in MiB', positive)
  .action((opts: { port?: number; heap?: number }) =>
    reporting(async () => {
      const dir = stateDir();
      const existing = readState(dir);
      if (existing !== undefined && alive(existing.pid)) {
        console.log(`Kafka already running (pid ${existing.pid}, log ${existing.logPath})`);
        console.log(`export KAFKA_BOOTSTRAP_SERVERS=${existing.bootstrapServers}`);
        return;
      }
      removeState(dir);
      const broker = await startKafkaBroker({
        dir,
        detached: true,
        log: (line) => process.stderr.write(`${line}\n`),
        ...(opts.port === undefined ? {} : { port: opts.port }),
        ...(opts.heap === undefined ? {} : { heapMb: opts.heap }),
      });
      const state: KafkaState = { pid: broker.pid, bootstrapServers: broker.bootstrapServers, logPath: broker.logPath };
      writeState(dir, state);
      console.log(`Kafka ${KAFKA_VERSION} started (pid ${broker.pid}, state in ${dir}, log ${broker.logPath})`);
      console.log(`export KAFKA_BOOTSTRAP_SERVERS=${broker.bootstrapServers}`);
    }),
  );

program
  .command('down')
  .description('stop the broker that `up` started (its data stays in the state directory)')
  .action(async () => {
    const dir = stateDir();
    const state = readState(dir);
    const running = state !== undefined && alive(state.pid);
    if (running) await stopProcess(state.pid, STOP_TIMEOUT_MS);
    removeState(dir);
    console.log(running ? `Kafka stopped (pid ${state.pid})` : 'Kafka was not running');
  });

program
  .command('status')
  .description('show whether the broker runs and where')
  .action(() => {
    const state = readState(stateDir());
    if (state === undefined || !alive(state.pid)) {
      console.log('Kafka is not running');
      process.exitCode = 3;
      return;
    }
    console.log(`Kafka running (pid ${state.pid}, log ${state.logPath})`);
    console.log(`export KAFKA_BOOTSTRAP_SERVERS=${state.bootstrapServers}`);
  });

program
  .command('topic <name>')
  .description('create a topic (the broker creates none on first use)')
  .option('--partitions <n>', 'partitions', positive, 1)
  .option('--bootstrap <host:port>', 'the broker (default: the one `up` started)')
  .action(async (name: string, options: { partitions: number; bootstrap?: string }) => {
    const bootstrap = options.bootstrap ?? readState(stateDir())?.bootstrapServers;
    if (bootstrap === undefined) {
      console.error('kafka: no broker: run `npm run kafka -- up` or give --bootstrap host:port');
      process.exitCode = 1;
      return;
    }
    const admin = new Admin({ clientId: 'sluice-kafka-cli', bootstrapBrokers: [bootstrap], retries: 3 });
    try {
      await admin.createTopics({ topics: [name], partitions: options.partitions, replicas: 1 });
      console.log(`topic ${name} (${options.partitions} partitions) at ${bootstrap}`);
    } catch (err) {
      console.error(`kafka: cannot create topic ${name} at ${bootstrap}: ${(err as Error).message}`);
      process.exitCode = 1;
    } finally {
      await admin.close();
    }
  });

program
  .command('fetch')
  .description(`fetch the broker's jars (Apache Kafka ${KAFKA_VERSION}) from Maven Central into .cache/ (skips what is there)`)
  .action(() =>
    reporting(async () => {
      console.log(await ensureKafkaJars((line) => process.stderr.write(`${line}\n`)));
    }),
  );

program
  .command('serve')
  .description('run a broker in the foreground until SIGTERM/SIGINT (what a Kafka pod in the sandbox runs)')
  .option('--host <address>', 'loopback address to listen on and advertise', '127.0.0.1')
  .requiredOption('--port <port>', 'client port', port)
  .option('--controller-port <port>', 'controller port (default: a free one)', port)
  .option('--heap <mb>', 'JVM heap in MiB', positive)
  .option('--libs <dir>', "the broker's jars (default: fetched into .cache/ if missing)")
  .action((opts: { host: string; port: number; controllerPort?: number; heap?: number; libs?: string }) =>
    reporting(async () => {
      const broker = await startKafkaBroker({
        dir: stateDir(),
        host: opts.host,
        port: opts.port,
        log: (line) => console.log(line),
        ...(opts.controllerPort === undefined ? {} : { controllerPort: opts.controllerPort }),
        ...(opts.heap === undefined ? {} : { heapMb: opts.heap }),
        ...(opts.libs === undefined ? {} : { libs: opts.libs }),
      });
      let stopping = false;
      const shutdown = () => {
        stopping = true;
        void broker.stop().finally(() => process.exit(0));
      };
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
      const code = await broker.exited;
      if (stopping) return;
      console.log(`Kafka broker exited by itself (${code}); log ${broker.logPath}`);
      process.exit(typeof code === 'number' ? code || 1 : 1);
    }),
  );

await program.parseAsync(process.argv);
