import { ApiException, CoordinationV1Api, Observable } from '@kubernetes/client-node';
import type { ConfigurationOptions, KubeConfig, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';

export interface LeaderElectionOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  /** client-go defaults: 15 s, 10 s, 2 s. */
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger: Logger;
  onStartedLeading: () => void;
  /** Called once when leadership is lost; the process should stop reconciling (the operator exits). */
  onStoppedLeading: () => void;
}

export const CLIENT_GO_DEFAULTS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it:
 * a candidate takes the Lease when it is free or its holder has not renewed it for leaseDuration
 * (measured on the candidate's own clock from when it last saw the record change, never from the
 * holder's timestamps); the leader renews every retryPeriod and steps down when it could not renew
 * for renewDeadline; on shutdown it releases the Lease so a standby takes over at once.
 *
 * Every call to the API server ends within renewDeadline (a leader's, by the end of its renew
 * deadline), so a hung request cannot keep a replica leading past it. {@link isLeader} is false from
 * the moment the renew deadline has passed, even before a tick notices (a process frozen and then
 * resumed, its timers late): what writes asks it first, and a replica that is no longer leader writes
 * nothing. A failed attempt is logged at warn once per distinct error.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private lease: V1Lease | undefined;
  private lastError: string | undefined;

  constructor(private readonly options: LeaderElectionOptions) {
    this.api = options.kc.makeApiClient(CoordinationV1Api);
  }

  /** Leading, and renewed within the renew deadline by this process's clock. */
  isLeader(): boolean {
    return this.leading && Date.now() - this.lastRenew <= this.options.renewDeadlineMs;
  }

  start(): void {
    void this.tick();
  }

  /** Stops competing; a leader releases the Lease (holder cleared) so a standby need not wait it out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading || this.lease === undefined) return;
    this.leading = false;
    try {
      const now = new Date();
      await this.api.replaceNamespacedLease(
        {
          name: this.options.name,
          namespace: this.options.namespace,
          body: { ...this.lease, spec: { ...this.lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime(now), acquireTime: microTime(now) } },
        },
        deadline(this.options.renewDeadlineMs),
      );
    } catch (err) {
      this.options.logger.warn({ err }, 'could not release the leader lease');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    // A leader past its renew deadline (its process was frozen, its requests hung) asks nothing more.
    if (!this.leading || this.isLeader()) {
      try {
        // A leader's calls end by its renew deadline; a candidate's within one renew deadline.
        const leftMs = this.leading ? this.lastRenew + this.options.renewDeadlineMs - Date.now() : this.options.renewDeadlineMs;
        await this.tryAcquireOrRenew(deadline(Math.max(1, leftMs)));
        this.lastError = undefined;
      } catch (err) {
        const message = (err as Error).message;
        if (message !== this.lastError) this.options.logger.warn({ err, lease: `${this.options.namespace}/${this.options.name}` }, `leader election attempt failed: ${message}`);
        this.lastError = message;
      }
    }
    if (this.leading && !this.isLeader()) {
      this.leading = false;
      this.options.logger.error('could not renew the leader lease within the renew deadline; stepping down');
      this.options.onStoppedLeading();
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.options.retryPeriodMs);
    }
  }

  private async tryAcquireOrRenew(options: ConfigurationOptions): Promise<void> {
    const { name, namespace, identity, leaseDurationMs } = this.options;
    const now = new Date();
    const spec = (transitions: number, acquireTime: Date) => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: microTime(acquireTime),
      renewTime: microTime(now),
      leaseTransitions: transitions,
    });
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace }, options);
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 404) throw err;
      this.lease = await this.api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: spec(0, now) } }, options);
      this.becameLeader();
      return;
    }
    const record = JSON.stringify(lease.spec ?? {});
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = lease.spec?.holderIdentity;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    const held = holder !== undefined && holder !== '' && holder !== identity && Date.now() < this.observed.at + durationMs;
    if (held) {
      if (this.leading) {
        this.leading = false;
        this.options.onStoppedLeading();
      }
      return;
    }
    const mine = holder === identity;
    const acquired = mine ? new Date(lease.spec?.acquireTime ?? now) : now;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (mine ? 0 : 1);
    this.lease = await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: spec(transitions, acquired) } }, options);
    this.observed = { record: JSON.stringify(this.lease.spec ?? {}), at: Date.now() };
    this.becameLeader();
  }

  private becameLeader(): void {
    this.lastRenew = Date.now();
    if (this.leading) return;
    this.leading = true;
    this.options.logger.info({ lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity }, 'became leader');
    this.options.onStartedLeading();
  }
}

/** Request options that abort the request (sending and reading the reply) after `ms`. */
function deadline(ms: number): ConfigurationOptions {
  const signal = AbortSignal.timeout(ms);
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/**
 * A Lease's times are MicroTime: the API server parses exactly six fractional digits
 * (`2006-01-02T15:04:05.000000Z07:00`) and refuses a Date's JSON (three digits) with 400.
 * client-node serializes the string as it is.
 */
export function microTime(date: Date): never {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as never;
}
