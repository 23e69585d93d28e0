import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { boundedStatusText } from '../api/bounded-text.ts';
import type { StreamJob } from '../api/stream-job.ts';
import { withSchemaDefaults } from '../api/stream-job-defaults.ts';
import type { StreamJobStatus } from '../api/stream-job-status.ts';
import type { Caches, OwnedObjects, Reconcile, ReconcileResult } from '../controller/reconcile.ts';
import { JobManagerRequestError, type JobManagerApi, type SavepointDisposalObservation, type SavepointTriggerObservation } from '../jobmanager/jobmanager-client.ts';
import { applyActionResult, type ActionResult } from '../lifecycle/action-result.ts';
import { TRANSITION_INTERVAL_MS, type Action, type EventSpec, type PlanPodObservation, type PodObservation } from '../lifecycle/decision.ts';
import { decide } from '../lifecycle/lifecycle.ts';
import { runSpec } from '../lifecycle/run-spec.ts';
import { specProblems } from '../lifecycle/semantic-checks.ts';
import { desiredObjects } from '../resources/desired-objects.ts';
import { COMPONENT_LABEL, FINALIZER, RUN_ANNOTATION, SPEC_HASH_ANNOTATION, names } from '../resources/labels.ts';
import { oneShotOutcome } from '../resources/one-shot-pod.ts';
import { planPod } from '../resources/plan-pod.ts';
import { networkPolicies } from '../resources/network-policies.ts';
import { runKey, runKeySecret } from '../resources/run-key-secret.ts';
import { jobId, REST_PORT } from '../resources/runtime-config.ts';
import { canonicalJson, specHash } from '../resources/spec-hash.ts';
import type { EventRecorder } from './event-recorder.ts';
import { containerFailure } from './container-failure.ts';
import { credentialsReport } from './credentials-report.ts';
import { cleanUpStorage, isStorageCleanupPod, STORAGE_CLEANUP_POLL_MS } from './storage-cleanup.ts';
import { isStatus } from './kube-objects.ts';
import type { KubeObjects } from './kube-objects.ts';
import { deleteAll, deletePods, syncObjects } from './object-sync.ts';

/** Where a reconcile reports the phase it decided, for the jobs-per-phase metric. */
export interface PhaseRecorder {
  /** `undefined` forgets a StreamJob that no longer exists. */
  setPhase(key: string, phase: string | undefined): void;
}

export interface ReconcilerOptions {
  kube: KubeObjects;
  jobManager: JobManagerApi;
  /** The operator's own key, from which each run's key is derived (runtime/rest/run-key.ts). */
  operatorKey: Buffer;
  /** Write each StreamJob's NetworkPolicies, letting the operator's namespace reach the JobManager's REST port; absent: none. */
  networkPolicies?: { operatorNamespace: string };
  caches: Caches;
  events: EventRecorder;
  logger: Logger;
  now?: () => Date;
  /** Told every decision. */
  phases?: PhaseRecorder;
}

const CONFLICT_RETRIES = 3;

/**
 * Reconciles one StreamJob (the contract is {@link Reconcile}): observe (caches, pods' reports,
 * JobManager), decide (lifecycle.ts, pure), persist the decision in status, then act.
 * Level-triggered: every call starts from what exists now.
 */
export class Reconciler implements Reconcile {
  private readonly now: () => Date;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    let job = this.options.caches.streamJob(namespace, name);
    if (job === undefined) {
      this.options.phases?.setPhase(key, undefined);
      return {};
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.reconcileJob(key, job);
      } catch (err) {
        // Someone wrote the StreamJob after the cache saw it: start over from a fresh read.
        if (!isStatus(err, 409) || attempt >= CONFLICT_RETRIES) throw err;
        const fresh = await this.options.kube.getStreamJob(namespace, name);
        if (fresh === undefined) return {};
        job = fresh;
      }
    }
  }

  private async reconcileJob(key: string, stored: StreamJob): Promise<ReconcileResult> {
    const { kube, caches } = this.options;
    let job = withSchemaDefaults(stored);
    const owned = caches.owned(job.metadata.namespace!, job);
    const finalizers = job.metadata.finalizers ?? [];
    if (job.metadata.deletionTimestamp !== undefined) {
      if (!finalizers.includes(FINALIZER)) return {};
      // The storage cleanup pod runs once everything else is gone, with the job's storage credentials (storage-cleanup.ts).
      const others = { ...owned, pods: owned.pods.filter((p) => !isStorageCleanupPod(job, p)) };
      if (!(await deleteAll(kube, others, this.runKeySecretName(job)))) return { requeueAfterMs: TRANSITION_INTERVAL_MS };
      if (!(await cleanUpStorage(kube, job, owned, this.options.events))) return { requeueAfterMs: STORAGE_CLEANUP_POLL_MS };
      await kube.setFinalizers(job, finalizers.filter((f) => f !== FINALIZER));
      this.options.phases?.setPhase(key, undefined);
      return {};
    }
    if (!finalizers.includes(FINALIZER)) job = withSchemaDefaults(await kube.setFinalizers(job, [...finalizers, FINALIZER]));

    const decision = decide(await this.observe(job, owned));
    this.options.phases?.setPhase(key, decision.status.phase);
    // The decision is persisted before it is acted on, so a new leader picks up where this one stopped.
    let status = decision.status;
    let written = await this.writeStatus(job, status);
    const events: EventSpec[] = [...decision.events];
    for (const action of decision.actions) {
      const result = await this.act(written, status, action, owned);
      if (result === undefined) continue;
      const applied = applyActionResult(status, action, result, this.now());
      status = applied.status;
      events.push(...applied.events);
    }
    if (status !== decision.status) written = await this.writeStatus(written, status);
    for (const event of events) await this.options.events.record(written, event);
    return { requeueAfterMs: decision.requeueAfterMs };
  }

  private async observe(job: StreamJob, owned: OwnedObjects): Promise<Parameters<typeof decide>[0]> {
    const now = this.now();
    const pods = owned.pods.map((pod) => ({ pod, observation: podObservation(pod) }));
    const jobManager = pods.find((p) => p.pod.metadata?.labels?.[COMPONENT_LABEL] === 'jobmanager');
    const taskManagers = pods.filter((p) => p.pod.metadata?.labels?.[COMPONENT_LABEL] === 'taskmanager').map((p) => p.observation);
    const run = job.status?.run;
    const baseUrl = restBaseUrl(jobManager?.pod, run?.number);
    const id = run ? jobId(job, run.number) : undefined;
    const jm = baseUrl && id ? await this.options.jobManager.observe(baseUrl, id) : undefined;
    const triggerId = job.status?.upgrade?.savepointTriggerId ?? job.status?.savepoints?.pending?.triggerId;
    let savepointTrigger: SavepointTriggerObservation | undefined;
    if (triggerId !== undefined && id !== undefined) {
      savepointTrigger = baseUrl
        ? await this.options.jobManager.savepointStatus(baseUrl, id, triggerId)
        : { status: 'UNREACHABLE', error: 'the JobManager pod is gone' };
    }
    const disposal = job.status?.savepoints?.disposing?.[0]?.triggerId;
    let savepointDisposal: SavepointDisposalObservation | undefined;
    if (disposal !== undefined && id !== undefined) {
      savepointDisposal = baseUrl ? await this.options.jobManager.savepointDisposalStatus(baseUrl, id, disposal) : { status: 'FAILED', cause: 'the JobManager pod is gone' };
    }
    return {
      job,
      now,
      specHash: specHash(job.spec),
      problems: specProblems(job.spec, credentialsReport(job.spec.checkpointing.storage.s3?.credentialsSecret, owned.pods)),
      ...(jobManager ? { jobManagerPod: jobManager.observation } : {}),
      taskManagerPods: taskManagers,
      ...(jm ? { jobManager: jm } : {}),
      ...(savepointTrigger ? { savepointTrigger } : {}),
      ...(savepointDisposal ? { savepointDisposal } : {}),
      ...planPodObservation(owned.pods),
    };
  }

  /** The name of the key Secret of run `run` (a pod's run annotation). */
  private runKeySecretName(job: StreamJob): (run: string) => string {
    return (run) => names.runKeySecret(job.metadata.name!, Number(run));
  }

  private async writeStatus(job: StreamJob, decided: StreamJobStatus): Promise<StreamJob> {
    const status = boundedStatusText(decided);
    if (canonicalJson(job.status ?? {}) === canonicalJson(status)) return job;
    return this.options.kube.replaceStatus(job, status);
  }

  /** Carries out one action; REST actions return their outcome for the status. */
  private async act(job: StreamJob, status: StreamJobStatus, action: Action, owned: OwnedObjects): Promise<ActionResult | undefined> {
    const { kube, jobManager } = this.options;
    switch (action.kind) {
      case 'deploy': {
        const run = status.run!;
        const key = runKey(this.options.operatorKey, job, run.number);
        const policies = this.options.networkPolicies ? networkPolicies(job, this.options.networkPolicies.operatorNamespace) : [];
        // The run's own spec: a rollback's run is of the last stable spec, not of job.spec.
        await syncObjects(kube, desiredObjects({ ...job, spec: runSpec(job, run) }, { number: run.number, specHash: run.specHash, ...(run.restorePath === undefined ? {} : { restorePath: run.restorePath }), ...(run.restoreFromRun === undefined ? {} : { restoreFromRun: run.restoreFromRun }) }), owned, runKeySecret(job, run.number, key), policies);
        return undefined;
      }
      case 'runPlan':
        await kube.create(planPod(job, action));
        return undefined;
      case 'deletePlan':
        await kube.delete({ apiVersion: 'v1', kind: 'Pod', metadata: { name: action.name, namespace: job.metadata.namespace! } });
        return undefined;
      case 'teardown':
        await deletePods(kube, owned, this.runKeySecretName(job));
        return undefined;
      default: {
        const pod = owned.pods.find((p) => p.metadata?.labels?.[COMPONENT_LABEL] === 'jobmanager');
        const baseUrl = restBaseUrl(pod, status.run?.number);
        const id = jobId(job, status.run!.number);
        if (baseUrl === undefined) return { ok: false, error: 'the JobManager pod has no address' };
        // A REST action changes the job: only the leader may (a NotLeaderError fails the reconcile).
        kube.assertLeader();
        try {
          if (action.kind === 'triggerSavepoint' || action.kind === 'periodicSavepoint') return { ok: true, triggerId: await jobManager.triggerSavepoint(baseUrl, id) };
          if (action.kind === 'disposeSavepoint') return { ok: true, triggerId: await jobManager.disposeSavepoint(baseUrl, id, action.path) };
          if (action.kind === 'stopWithSavepoint') return { ok: true, triggerId: await jobManager.stopWithSavepoint(baseUrl, id) };
          await jobManager.cancel(baseUrl, id);
          return { ok: true };
        } catch (err) {
          return { ok: false, error: (err as Error).message, ...(err instanceof JobManagerRequestError ? { httpStatus: err.status } : {}) };
        }
      }
    }
  }
}

/** The upgrade check's pod, by its component label: the spec hash it checks and, once ended, its outcome. */
function planPodObservation(pods: readonly V1Pod[]): { planPod?: PlanPodObservation } {
  const pod = pods.find((p) => p.metadata?.labels?.[COMPONENT_LABEL] === 'plan');
  if (pod === undefined) return {};
  const outcome = oneShotOutcome(pod);
  return {
    planPod: {
      name: pod.metadata!.name!,
      specHash: pod.metadata?.annotations?.[SPEC_HASH_ANNOTATION] ?? '',
      terminating: pod.metadata?.deletionTimestamp !== undefined,
      ...(outcome === undefined ? {} : { outcome }),
    },
  };
}

function podObservation(pod: V1Pod): PodObservation {
  const failure = containerFailure(pod);
  return {
    name: pod.metadata!.name!,
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    run: Number(pod.metadata?.annotations?.[RUN_ANNOTATION] ?? 0),
    terminating: pod.metadata?.deletionTimestamp !== undefined,
    ...(failure ? { failure } : {}),
  };
}

/**
 * The JobManager's REST base URL by pod IP, which works from anywhere that reaches pods — also from an
 * operator outside the cluster (the sandbox's Service names resolve only inside pods). Status reports
 * the Service URL for people.
 */
function restBaseUrl(pod: V1Pod | undefined, run: number | undefined): string | undefined {
  if (pod === undefined || pod.metadata?.deletionTimestamp !== undefined || pod.status?.podIP === undefined) return undefined;
  if (Number(pod.metadata?.annotations?.[RUN_ANNOTATION]) !== run) return undefined;
  const ip = pod.status.podIP;
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${REST_PORT}`;
}
