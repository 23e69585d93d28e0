import type { Logger } from 'pino';
import type { JobGraph } from '../graph/job-graph.ts';
import { AttemptSubtasks } from './attempt-subtasks.ts';
import { planDeployment, type SubtaskDeployment } from './deployment-plan.ts';
import { assignSlots, requiredSlots } from './slot-assignment.ts';
import type { TaskManagerRegistry } from './task-manager-registry.ts';

export interface AttemptSchedulerOptions {
  readonly graph: JobGraph;
  readonly jobId: string;
  readonly sessionId: string;
  readonly taskManagers: TaskManagerRegistry;
  readonly log: Logger;
}

/** An attempt planned and waiting for every TaskManager to fence its data plane to it. */
export interface PreparedAttempt {
  readonly attempt: number;
  readonly plan: SubtaskDeployment[];
}

/**
 * Places and deploys the subtasks of an attempt (Flink's scheduler): once enough slots are
 * registered it assigns slots and plans the deployment, asks every TaskManager to prepare (fence its
 * data plane to the attempt), and when all are ready sends each subtask's deployment. Which attempt
 * and when is the JobMaster's decision.
 */
export class AttemptScheduler {
  private prepared: PreparedAttempt | null = null;
  private waitingLogged = false;

  constructor(private readonly options: AttemptSchedulerOptions) {}

  /** An attempt is being prepared. */
  get preparing(): boolean {
    return this.prepared !== null;
  }

  /** Whether the registered slots suffice; logs once while waiting for more. */
  enoughSlots(): boolean {
    const needed = requiredSlots(this.options.graph);
    const registered = this.options.taskManagers.slotsTotal;
    if (registered < needed) {
      if (!this.waitingLogged) this.options.log.info({ needed, registered }, `waiting for ${needed} slots (${registered} registered)`);
      this.waitingLogged = true;
      return false;
    }
    this.waitingLogged = false;
    return true;
  }

  /** Plans `attempt` on the registered TaskManagers and asks them to prepare; returns its subtasks. */
  prepare(attempt: number): AttemptSubtasks {
    const { graph, jobId, sessionId, taskManagers, log } = this.options;
    const offers = [...taskManagers.values()].map((t) => ({ taskManagerId: t.id, slots: t.slots }));
    const plan = planDeployment(graph, jobId, attempt, assignSlots(graph, offers), (id) => taskManagers.get(id)!.dataAddress);
    this.prepared = { attempt, plan };
    log.info({ attempt, subtasks: plan.length, taskManagers: taskManagers.size }, `scheduling attempt ${attempt}`);
    taskManagers.broadcast({ type: 'prepare-attempt', sessionId, attempt });
    return new AttemptSubtasks(plan);
  }

  /** A TaskManager that registers while an attempt is prepared prepares too. */
  prepareNewcomer(taskManagerId: string): void {
    if (this.prepared !== null) this.options.taskManagers.send(taskManagerId, { type: 'prepare-attempt', sessionId: this.options.sessionId, attempt: this.prepared.attempt });
  }

  /** Forgets the attempt being prepared (cancelled, or a TaskManager it was planned on is gone). */
  drop(): void {
    this.prepared = null;
  }

  /** The prepared attempt once every TaskManager is ready for it, no longer pending; else null. */
  takeReady(): PreparedAttempt | null {
    const prepared = this.prepared;
    if (prepared === null || !this.options.taskManagers.allReadyFor(prepared.attempt)) return null;
    this.prepared = null;
    return prepared;
  }

  /** Sends every subtask its deployment, with what `restoreOf` says it restores from. */
  deploy(prepared: PreparedAttempt, subtasks: AttemptSubtasks, restoreOf: (d: SubtaskDeployment['descriptor']) => unknown): void {
    const { attempt, plan } = prepared;
    for (const p of plan) {
      const restore = restoreOf(p.descriptor);
      subtasks.get(p.descriptor.vertexId, p.descriptor.subtaskIndex)!.status = 'DEPLOYING';
      this.options.taskManagers.send(p.taskManagerId, { type: 'deploy', sessionId: this.options.sessionId, attempt, descriptor: p.descriptor, producers: p.producers, ...(restore === undefined ? {} : { restore }) });
    }
  }
}
