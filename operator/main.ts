// The operator process: `node --import tsx operator/main.ts`. Configured by flags or the environment
// the Helm chart sets (SLUICE_WATCH_NAMESPACES, SLUICE_RESYNC_PERIOD, SLUICE_LOG_LEVEL, SLUICE_HTTP_PORT,
// SLUICE_LEASE_NAME, SLUICE_OPERATOR_KEY_FILE, SLUICE_NETWORK_POLICIES, POD_NAME, POD_NAMESPACE, POD_IP). Every replica serves /healthz, /readyz and
// /metrics; only the holder of the Lease runs the controller.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Controller } from './controller/controller.ts';
import { ExponentialRateLimiter } from './controller/rate-limiter.ts';
import { WorkQueue } from './controller/work-queue.ts';
import { startHttpServer } from './http-server.ts';
import { JobManagerClient } from './jobmanager/jobmanager-client.ts';
import { CLIENT_GO_DEFAULTS, LeaderElector } from './leader/leader-election.ts';
import { durationMs } from './api/time.ts';
import { MeteredReconcile, OperatorMetrics } from './metrics/operator-metrics.ts';
import { EventRecorder } from './reconciler/event-recorder.ts';
import { KubeObjects } from './reconciler/kube-objects.ts';
import { Reconciler } from './reconciler/reconciler.ts';
import { parseRunKey } from '../runtime/rest/run-key.ts';

const env = process.env;
const duration = (value: string) => {
  try {
    return durationMs(value);
  } catch {
    throw new Error(`invalid duration "${value}": expected a number and a unit (ms, s, m, h, d), e.g. 30s or 5m`);
  }
};
const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid number "${value}": expected a whole number ≥ 0`);
  return n;
};

const program = new Command('sluice-operator')
  .description('Reconciles StreamJobs into JobManager and TaskManager pods')
  .addOption(new Option('--watch-namespaces <list>', 'comma-separated namespaces; empty: all').env('SLUICE_WATCH_NAMESPACES').default(''))
  .addOption(new Option('--resync-period <duration>', 'reconcile every StreamJob this often').env('SLUICE_RESYNC_PERIOD').default('5m'))
  .addOption(new Option('--log-level <level>', 'trace, debug, info, warn, error or fatal').env('SLUICE_LOG_LEVEL').default('info').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
  .addOption(new Option('--http-port <port>', '/metrics, /healthz, /readyz').env('SLUICE_HTTP_PORT').default('8080'))
  .addOption(new Option('--http-host <address>', 'address the HTTP port binds to').env('POD_IP').default('0.0.0.0'))
  .addOption(new Option('--lease-name <name>', 'the leader-election Lease').env('SLUICE_LEASE_NAME').default('sluice-operator-leader'))
  .addOption(new Option('--lease-namespace <namespace>', 'namespace of the Lease (default: the pod\'s, else the kubeconfig\'s)').env('POD_NAMESPACE'))
  .addOption(new Option('--identity <name>', 'this replica\'s name in the Lease').env('POD_NAME').default(hostname()))
  .addOption(new Option('--lease-duration <duration>', 'client-go: leaseDuration').env('SLUICE_LEASE_DURATION').default(`${CLIENT_GO_DEFAULTS.leaseDurationMs / 1000}s`))
  .addOption(new Option('--renew-deadline <duration>', 'client-go: renewDeadline').env('SLUICE_RENEW_DEADLINE').default(`${CLIENT_GO_DEFAULTS.renewDeadlineMs / 1000}s`))
  .addOption(new Option('--retry-period <duration>', 'client-go: retryPeriod').env('SLUICE_RETRY_PERIOD').default(`${CLIENT_GO_DEFAULTS.retryPeriodMs / 1000}s`))
  .addOption(new Option('--concurrency <n>', 'StreamJobs reconciled at once').env('SLUICE_CONCURRENCY').default('4'))
  .addOption(new Option('--network-policies <mode>', 'write a NetworkPolicy per job component').env('SLUICE_NETWORK_POLICIES').default('enabled').choices(['enabled', 'disabled']))
  .addOption(new Option('--operator-key-file <path>', 'file with the operator\'s key (64 hex characters), from which each run\'s key is derived').env('SLUICE_OPERATOR_KEY_FILE').makeOptionMandatory());

program.parse();
const opts = program.opts<Record<string, string>>();
const logger = pino({ level: opts.logLevel!, base: { component: 'sluice-operator' } });

try {
  const settings = {
    namespaces: opts.watchNamespaces!.split(',').map((n) => n.trim()).filter((n) => n !== ''),
    resyncPeriodMs: duration(opts.resyncPeriod!),
    httpPort: integer(opts.httpPort!),
    leaseDurationMs: duration(opts.leaseDuration!),
    renewDeadlineMs: duration(opts.renewDeadline!),
    retryPeriodMs: duration(opts.retryPeriod!),
    concurrency: Math.max(1, integer(opts.concurrency!)),
    operatorKey: operatorKey(opts.operatorKeyFile!),
  };
  await run(settings);
} catch (err) {
  logger.fatal({ err }, (err as Error).message);
  process.exit(1);
}

/** The operator's key, read once at start: every run's key and REST token derive from it. */
function operatorKey(path: string): Buffer {
  try {
    return parseRunKey(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`operator key file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (err as Error).message}`);
  }
}

async function run(settings: {
  namespaces: string[];
  resyncPeriodMs: number;
  httpPort: number;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  concurrency: number;
  operatorKey: Buffer;
}): Promise<void> {
  const kc = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) kc.loadFromCluster();
  else kc.loadFromDefault();
  const identity = opts.identity!;
  const leaseNamespace = opts.leaseNamespace ?? (kc.getContextObject(kc.getCurrentContext())?.namespace || 'default');

  // Every write asks the elector first (built below, once the pieces it starts exist).
  const kube = new KubeObjects(kc, { isLeader: () => elector.isLeader() });
  // The pieces, each typed against the next: informers and their caches, the reconcile (metered),
  // the queue that runs it. The controller starts watching only once this replica leads.
  const metrics = new OperatorMetrics();
  const writePolicies = opts.networkPolicies === 'enabled';
  const controller = new Controller({ kc, namespaces: settings.namespaces, resyncPeriodMs: settings.resyncPeriodMs, networkPolicies: writePolicies, logger });
  const reconciler = new Reconciler({
    kube,
    jobManager: new JobManagerClient(settings.operatorKey),
    operatorKey: settings.operatorKey,
    ...(writePolicies ? { networkPolicies: { operatorNamespace: leaseNamespace } } : {}),
    caches: controller.caches,
    events: new EventRecorder(kube, logger, identity),
    logger,
    phases: metrics,
  });
  const metered = new MeteredReconcile(reconciler, metrics);
  const queue = new WorkQueue({
    concurrency: settings.concurrency,
    rateLimiter: new ExponentialRateLimiter(),
    handler: (key) => metered.reconcile(key),
    onError: (key, err) => logger.warn({ err, key }, 'reconcile failed; retrying with backoff'),
  });
  metrics.observeQueue(queue);
  let leading = false;

  let shuttingDown = false;
  const elector = new LeaderElector({
    kc,
    namespace: leaseNamespace,
    name: opts.leaseName!,
    identity,
    leaseDurationMs: settings.leaseDurationMs,
    renewDeadlineMs: settings.renewDeadlineMs,
    retryPeriodMs: settings.retryPeriodMs,
    logger,
    onStartedLeading: () => {
      metrics.leader.set(1);
      leading = true;
      controller.start(queue).then(
        () => logger.info({ namespaces: settings.namespaces.length === 0 ? 'all' : settings.namespaces }, 'controller started'),
        (err: unknown) => {
          logger.fatal({ err }, 'could not start the controller');
          void shutdown(1);
        },
      );
    },
    // As client-go operators do: a replica that lost the Lease exits and comes back as a standby.
    onStoppedLeading: () => {
      metrics.leader.set(0);
      logger.error('lost leadership; exiting');
      void shutdown(1);
    },
  });

  const http = await startHttpServer({
    host: opts.httpHost!,
    port: settings.httpPort,
    registry: metrics.registry,
    ready: () => !elector.isLeader() || controller.hasSynced(),
  });
  logger.info({ address: `${opts.httpHost}:${settings.httpPort}`, identity, lease: `${leaseNamespace}/${opts.leaseName}` }, 'operator started; waiting for leadership');
  elector.start();

  async function shutdown(code: number): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down');
    if (leading) await controller.stop();
    await queue.stop();
    await elector.stop();
    await http.close();
    process.exit(code);
  }
  process.once('SIGTERM', () => void shutdown(0));
  process.once('SIGINT', () => void shutdown(0));
}
