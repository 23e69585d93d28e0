import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject, ObjectCache, V1ConfigMap, V1NetworkPolicy, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { STREAM_JOB_GROUP, STREAM_JOB_KIND, STREAM_JOB_PLURAL, STREAM_JOB_VERSION } from '../api/stream-job.ts';
import type { StreamJob } from '../api/stream-job.ts';
import { MANAGED_SELECTOR } from '../resources/labels.ts';
import { ownedBy, streamJobKey, type Caches } from './reconcile.ts';
import type { WorkQueue } from './work-queue.ts';

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface ControllerOptions {
  kc: KubeConfig;
  /** Empty: every namespace. */
  namespaces: readonly string[];
  resyncPeriodMs: number;
  /** Watch the NetworkPolicies the operator writes (only when it writes them: the chart grants the verbs then). */
  networkPolicies: boolean;
  logger: Logger;
}

/** `namespace/name` of the StreamJob that controls `object`, if one does. */
export function ownerKey(object: KubernetesObject): string | undefined {
  const owner = object.metadata?.ownerReferences?.find((r) => r.controller && r.kind === STREAM_JOB_KIND);
  return owner ? `${object.metadata!.namespace}/${owner.name}` : undefined;
}

/**
 * The StreamJob controller: informers on StreamJobs and on the Pods, Services, ConfigMaps and NetworkPolicies the
 * operator created (found by its managed-by label). Built idle: its {@link Caches} can be handed to a
 * reconciler at once, and nothing is listed or watched until {@link Controller.start}, which maps
 * every event to its StreamJob's key in the queue and enqueues every StreamJob each resync period.
 */
export class Controller {
  private readonly streamJobs: Cached<StreamJob>[] = [];
  private readonly pods: Cached<V1Pod>[] = [];
  private readonly services: Cached<V1Service>[] = [];
  private readonly configMaps: Cached<V1ConfigMap>[] = [];
  private readonly networkPolicies: Cached<V1NetworkPolicy>[] = [];
  private resync: NodeJS.Timeout | undefined;
  private synced = false;
  private stopped = false;
  private queue: WorkQueue | undefined;

  constructor(private readonly options: ControllerOptions) {
    const { kc } = options;
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const networking = kc.makeApiClient(NetworkingV1Api);
    const scopes: (string | undefined)[] = options.namespaces.length === 0 ? [undefined] : [...options.namespaces];
    const crPath = `/apis/${STREAM_JOB_GROUP}/${STREAM_JOB_VERSION}`;
    const group = { group: STREAM_JOB_GROUP, version: STREAM_JOB_VERSION, plural: STREAM_JOB_PLURAL };
    const labelSelector = MANAGED_SELECTOR;
    for (const namespace of scopes) {
      const at = namespace === undefined ? '' : `/namespaces/${namespace}`;
      this.streamJobs.push(
        makeInformer<StreamJob>(
          kc,
          `${crPath}${at}/${STREAM_JOB_PLURAL}`,
          () => (namespace === undefined ? custom.listClusterCustomObject(group) : custom.listNamespacedCustomObject({ ...group, namespace })) as Promise<KubernetesListObject<StreamJob>>,
        ),
      );
      this.pods.push(
        makeInformer<V1Pod>(
          kc,
          `/api/v1${at}/pods`,
          () => (namespace === undefined ? core.listPodForAllNamespaces({ labelSelector }) : core.listNamespacedPod({ namespace, labelSelector })),
          labelSelector,
        ),
      );
      this.services.push(
        makeInformer<V1Service>(
          kc,
          `/api/v1${at}/services`,
          () => (namespace === undefined ? core.listServiceForAllNamespaces({ labelSelector }) : core.listNamespacedService({ namespace, labelSelector })),
          labelSelector,
        ),
      );
      this.configMaps.push(
        makeInformer<V1ConfigMap>(
          kc,
          `/api/v1${at}/configmaps`,
          () => (namespace === undefined ? core.listConfigMapForAllNamespaces({ labelSelector }) : core.listNamespacedConfigMap({ namespace, labelSelector })),
          labelSelector,
        ),
      );
      if (options.networkPolicies) {
        this.networkPolicies.push(
          makeInformer<V1NetworkPolicy>(
            kc,
            `/apis/networking.k8s.io/v1${at}/networkpolicies`,
            () =>
              namespace === undefined
                ? networking.listNetworkPolicyForAllNamespaces({ labelSelector })
                : networking.listNamespacedNetworkPolicy({ namespace, labelSelector }),
            labelSelector,
          ),
        );
      }
    }
  }

  private informers(): Cached<KubernetesObject>[] {
    return [...this.streamJobs, ...this.owners()];
  }

  /** Informers of the objects the operator creates, mapped to their StreamJob. */
  private owners(): Cached<KubernetesObject>[] {
    return [...this.pods, ...this.services, ...this.configMaps, ...this.networkPolicies] as Cached<KubernetesObject>[];
  }

  /** Watches every informer into `queue`, lists them, then enqueues every StreamJob and starts the resync timer. */
  async start(queue: WorkQueue): Promise<void> {
    this.queue = queue;
    const enqueueJob = (job: StreamJob) => queue.add(streamJobKey(job));
    const enqueueOwner = (object: KubernetesObject) => {
      const key = ownerKey(object);
      if (key !== undefined) queue.add(key);
    };
    for (const informer of this.streamJobs) this.watch(informer, enqueueJob);
    for (const informer of this.owners()) this.watch(informer, enqueueOwner);
    await Promise.all(this.informers().map((i) => i.start()));
    this.synced = true;
    this.enqueueAll();
    this.resync = setInterval(() => this.enqueueAll(), this.options.resyncPeriodMs);
    this.resync.unref();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  enqueueAll(): void {
    for (const job of this.streamJobList()) this.queue?.add(streamJobKey(job));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resync) clearInterval(this.resync);
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  streamJobList(): StreamJob[] {
    return this.streamJobs.flatMap((i) => [...i.list()]);
  }

  readonly caches: Caches = {
    streamJob: (namespace, name) => {
      for (const informer of this.streamJobs) {
        const job = informer.get(name, namespace);
        if (job) return job;
      }
      return undefined;
    },
    owned: (namespace, job) => ({
      pods: ownedBy(this.pods.flatMap((i) => [...i.list(namespace)]), job),
      services: ownedBy(this.services.flatMap((i) => [...i.list(namespace)]), job),
      configMaps: ownedBy(this.configMaps.flatMap((i) => [...i.list(namespace)]), job),
      networkPolicies: ownedBy(this.networkPolicies.flatMap((i) => [...i.list(namespace)]), job),
    }),
  };

  private watch<T extends KubernetesObject>(informer: Cached<T>, handler: (object: T) => void): void {
    informer.on('add', handler);
    informer.on('update', handler);
    informer.on('delete', handler);
    informer.on('error', (err: unknown) => {
      this.options.logger.warn({ err }, 'watch failed; restarting it');
      // client-node stops an informer on error; it must be restarted by its owner.
      setTimeout(() => this.stopped || void informer.start().catch((e: unknown) => this.options.logger.error({ err: e }, 'informer restart failed')), 1000).unref();
    });
  }
}
