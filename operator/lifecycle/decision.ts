import type { JobObservation, SavepointDisposalObservation, SavepointTriggerObservation } from '../jobmanager/jobmanager-client.ts';
import { setCondition } from '../api/condition.ts';
import type { ConditionStatus, ConditionType } from '../api/condition.ts';
import type { Phase, StreamJobStatus } from '../api/stream-job-status.ts';
import type { StreamJob } from '../api/stream-job.ts';
import type { SpecProblem } from './semantic-checks.ts';
import { kstatusConditions } from './kstatus-conditions.ts';

/** What the reconciler observed of one StreamJob, for {@link decide}. */
export interface PodObservation {
  name: string;
  ready: boolean;
  /** Run number from the pod's annotation. */
  run: number;
  terminating: boolean;
  /** A container of the pod that cannot run, as the kubelet reports it. */
  failure?: ContainerFailure;
}

/** A container that cannot run: the kubelet's waiting reason (CrashLoopBackOff, ImagePullBackOff, ...) and message. */
export interface ContainerFailure {
  container: string;
  reason: string;
  message: string;
}

export interface Observed {
  job: StreamJob;
  now: Date;
  specHash: string;
  problems: readonly SpecProblem[];
  jobManagerPod?: PodObservation;
  taskManagerPods: readonly PodObservation[];
  /** The current run's JobManager, when its pod has an address to ask. */
  jobManager?: JobObservation;
  /** The savepoint request named in `status.savepoints.pending` or `status.upgrade.savepointTriggerId`. */
  savepointTrigger?: SavepointTriggerObservation;
  /** The disposal named in `status.savepoints.disposing[0].triggerId`. */
  savepointDisposal?: SavepointDisposalObservation;
  /** The upgrade check's pod (upgrade-check.ts), while it exists. */
  planPod?: PlanPodObservation;
}

/** A plan pod: the spec hash it checks, and how it ended once it did (resources/one-shot-pod.ts). */
export interface PlanPodObservation {
  name: string;
  specHash: string;
  terminating: boolean;
  outcome?: { exitCode: number; message: string; reason?: string };
}

/** One step for the reconciler; `deploy` converges the objects of `status.run`. */
export type Action =
  | { kind: 'deploy' }
  | { kind: 'teardown' }
  | { kind: 'triggerSavepoint'; nonce: number }
  | { kind: 'periodicSavepoint' }
  | { kind: 'disposeSavepoint'; path: string }
  | { kind: 'stopWithSavepoint' }
  | { kind: 'runPlan'; specHash: string; fromRun: string; from?: string }
  | { kind: 'deletePlan'; name: string }
  | { kind: 'cancel' };

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Decision {
  status: StreamJobStatus;
  actions: Action[];
  events: EventSpec[];
  requeueAfterMs: number;
}

/** How often a running job's JobManager is polled, and how soon a transition is looked at again. */
export const POLL_INTERVAL_MS = 5000;
export const TRANSITION_INTERVAL_MS = 1000;


/** Collects one decision: the status as it changes, the actions, the events, when to look again. */
export class Builder {
  status: StreamJobStatus;
  readonly actions: Action[] = [];
  readonly events: EventSpec[] = [];
  requeueAfterMs = POLL_INTERVAL_MS;

  constructor(
    readonly o: Observed,
    status: StreamJobStatus,
  ) {
    this.status = status;
  }

  condition(type: ConditionType, status: ConditionStatus, reason: string, message: string): void {
    const conditions = setCondition(
      this.status.conditions,
      { type, status, reason, message, observedGeneration: this.o.job.metadata.generation ?? 0 },
      this.o.now,
    );
    if (conditions !== this.status.conditions) this.status = { ...this.status, conditions: [...conditions] };
  }

  /**
   * As {@link condition}, but the transition time is the one written when the written condition has
   * this status already: an earlier step of this decision may have set it otherwise (podFailures sets
   * Degraded False first), which is no transition of the status as written.
   */
  conditionSince(type: ConditionType, status: ConditionStatus, reason: string, message: string): void {
    this.condition(type, status, reason, message);
    const written = this.o.job.status?.conditions?.find((c) => c.type === type);
    if (written?.status !== status) return;
    this.status = { ...this.status, conditions: this.status.conditions!.map((c) => (c.type === type ? { ...c, lastTransitionTime: written.lastTransitionTime } : c)) };
  }

  phase(phase: Phase, message: string): void {
    this.status = { ...this.status, phase, message };
  }

  event(type: EventSpec['type'], reason: string, message: string): void {
    this.events.push({ type, reason, message });
  }

  decision(): Decision {
    kstatusConditions(this);
    const before = this.o.job.status?.phase;
    const after = this.status.phase;
    // Upgrading is announced by its own event, which says why.
    if (after !== undefined && after !== before && after !== 'Upgrading' && !this.events.some((e) => e.reason === after)) {
      this.events.unshift({ type: after === 'Failed' ? 'Warning' : 'Normal', reason: after, message: this.status.message ?? after });
    }
    return { status: this.status, actions: this.actions, events: this.events, requeueAfterMs: this.requeueAfterMs };
  }
}
