import { ApiException, CustomObjectsApi, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { STREAM_JOB_GROUP, STREAM_JOB_PLURAL, STREAM_JOB_VERSION } from '../api/stream-job.ts';
import type { StreamJob } from '../api/stream-job.ts';
import type { StreamJobStatus } from '../api/stream-job-status.ts';

export const FIELD_MANAGER = 'sluice-operator';

export function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/** Whether this replica may still write: the leader, within its renew deadline (leader/leader-election.ts). */
export interface LeadershipCheck {
  isLeader(): boolean;
}

/** A write refused because this replica no longer leads: another replica may be acting already. */
export class NotLeaderError extends Error {
  constructor() {
    super('not writing: this replica no longer holds the leader lease');
    this.name = 'NotLeaderError';
  }
}

/**
 * The operator's writes to the API server, in the verbs the chart's RBAC grants
 * (charts/sluice-operator/templates/_helpers.tpl): server-side apply (patch) of ConfigMaps, Services
 * and NetworkPolicies, create/delete of pods and of runs' key Secrets (never a read of a Secret), a
 * merge patch of a StreamJob's finalizers, status only through the status subresource. Every write
 * first asks `leadership`: a replica that no longer leads writes nothing ({@link NotLeaderError}).
 */
export class KubeObjects {
  private readonly objects: KubernetesObjectApi;
  private readonly custom: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly leadership: LeadershipCheck,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Throws {@link NotLeaderError} unless this replica leads; for writes elsewhere (the JobManager's REST API) too. */
  assertLeader(): void {
    if (!this.leadership.isLeader()) throw new NotLeaderError();
  }

  /** Creates `object`; one that exists already (a cache behind the server) is left to the next reconcile. */
  async create(object: KubernetesObject): Promise<void> {
    this.assertLeader();
    try {
      await this.objects.create(object, undefined, undefined, FIELD_MANAGER);
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
  }

  /**
   * Server-side apply of `desired` as the operator's field manager: creates it, or converges the
   * fields the operator sets (and drops those it set before and no longer does) while keeping what
   * others set (labels and annotations added by users, status). `force` takes back a field someone
   * else changed: the operator owns what it applies.
   */
  async apply(desired: KubernetesObject): Promise<void> {
    this.assertLeader();
    await this.objects.patch(desired, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  /**
   * Deletes `object` if it is still the one seen (uid precondition; by name alone for an object the
   * operator never reads, such as a run's key Secret); gone already is fine.
   */
  async delete(object: KubernetesObject): Promise<void> {
    this.assertLeader();
    const uid = object.metadata!.uid;
    try {
      await this.objects.delete(
        { apiVersion: object.apiVersion ?? 'v1', kind: object.kind!, metadata: { name: object.metadata!.name!, namespace: object.metadata!.namespace! } },
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
        uid === undefined ? undefined : { preconditions: { uid } },
      );
    } catch (err) {
      if (!isStatus(err, 404) && !isStatus(err, 409)) throw err;
    }
  }

  async getStreamJob(namespace: string, name: string): Promise<StreamJob | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: STREAM_JOB_GROUP, version: STREAM_JOB_VERSION, namespace, plural: STREAM_JOB_PLURAL, name })) as StreamJob;
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** Writes the finalizer list with optimistic concurrency (409 when the StreamJob changed meanwhile). */
  async setFinalizers(job: StreamJob, finalizers: string[]): Promise<StreamJob> {
    this.assertLeader();
    return (await this.objects.patch(
      {
        apiVersion: job.apiVersion,
        kind: job.kind,
        metadata: { name: job.metadata.name!, namespace: job.metadata.namespace!, resourceVersion: job.metadata.resourceVersion!, finalizers },
      },
      undefined,
      undefined,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    )) as StreamJob;
  }

  /** PUT of the status subresource with the StreamJob's resourceVersion: 409 when someone wrote in between. */
  async replaceStatus(job: StreamJob, status: StreamJobStatus): Promise<StreamJob> {
    this.assertLeader();
    return (await this.custom.replaceNamespacedCustomObjectStatus({
      group: STREAM_JOB_GROUP,
      version: STREAM_JOB_VERSION,
      namespace: job.metadata.namespace!,
      plural: STREAM_JOB_PLURAL,
      name: job.metadata.name!,
      body: { apiVersion: job.apiVersion, kind: job.kind, metadata: { name: job.metadata.name, namespace: job.metadata.namespace, resourceVersion: job.metadata.resourceVersion }, status },
      fieldManager: FIELD_MANAGER,
    })) as StreamJob;
  }

  async createEvent(event: KubernetesObject): Promise<void> {
    this.assertLeader();
    await this.objects.create(event, undefined, undefined, FIELD_MANAGER);
  }

  async patchEvent(namespace: string, name: string, patch: Record<string, unknown>): Promise<void> {
    this.assertLeader();
    await this.objects.patch(
      { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace }, ...patch },
      undefined,
      undefined,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    );
  }
}
