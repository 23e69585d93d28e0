import type { JobGraph } from '../graph/job-graph.ts';
import type { RpcMessageOf } from '../rpc/rpc-messages.ts';
import type { AttemptSubtasks } from './attempt-subtasks.ts';
import type { AttemptCheckpointCoordinator, JobCheckpointing } from './checkpoint-hooks.ts';
import { FinalCheckpoints } from './final-checkpoints.ts';
import { subtaskKey } from './slot-assignment.ts';
import type { SourceCoordinators } from './source-coordinators.ts';
import type { TaskManagerRegistry } from './task-manager-registry.ts';

/** The checkpoint the attempt's subtasks were triggered for and have not all acknowledged. */
interface CheckpointInFlight {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly savepoint: boolean;
  readonly stop: boolean;
  /** Subtasks (by key) that acknowledged or declined it. */
  readonly answered: Set<string>;
}

export interface CheckpointDispatchOptions {
  readonly hooks: JobCheckpointing;
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly sessionId: string;
  readonly attempt: number;
  readonly subtasks: AttemptSubtasks;
  readonly taskManagers: TaskManagerRegistry;
  /** The attempt's split enumerators: their states go to the sources' subtask 0 ahead of each trigger. */
  readonly sources: SourceCoordinators;
  /** Whether `attempt` is still the JobMaster's current one. */
  readonly isCurrent: () => boolean;
}

/**
 * Routes one attempt's checkpoints between its coordinator and its subtasks: triggers to the running
 * sources (whose barriers reach the rest) and to ended subtasks (which get no barrier any more), acks
 * and declines back to the coordinator, and completion notices, final or not, to every TaskManager.
 * Made once every subtask of the attempt runs; stopped when the attempt ends.
 */
export class CheckpointDispatch {
  private readonly coordinator: AttemptCheckpointCoordinator;
  private inFlight: CheckpointInFlight | null = null;
  private readonly finals = new FinalCheckpoints();

  constructor(private readonly options: CheckpointDispatchOptions) {
    const { hooks, jobId, graph, attempt, sessionId, subtasks, taskManagers } = options;
    const sources = new Set(graph.vertices.filter((v) => v.isSource).map((v) => v.id));
    this.coordinator = hooks.createCoordinator({
      jobId,
      graph,
      attempt,
      trigger: (checkpointId, timestamp, { savepoint, stop }) => {
        options.sources.checkpoint(checkpointId);
        const c: CheckpointInFlight = { checkpointId, timestamp, savepoint, stop, answered: new Set() };
        this.inFlight = c;
        this.finals.triggered(checkpointId, stop, subtasks.every('ENDED'));
        for (const s of subtasks.values()) {
          // Running non-source subtasks take it when its barriers reach them.
          if (s.status === 'ENDED' || sources.has(s.vertexId)) this.sendTrigger(s.taskManagerId, s.vertexId, s.subtaskIndex, c);
        }
      },
      notifyComplete: (checkpointId) => {
        if (this.inFlight?.checkpointId === checkpointId) this.inFlight = null;
        const final = this.finals.completed(checkpointId);
        options.sources.notifyCheckpointComplete(checkpointId);
        taskManagers.broadcast({ type: 'checkpoint-complete', sessionId, attempt, checkpointId, ...(final ? { final } : {}) });
        return final;
      },
      notifyAborted: (checkpointId) => {
        if (this.inFlight?.checkpointId === checkpointId) this.inFlight = null;
        this.finals.aborted(checkpointId);
        taskManagers.broadcast({ type: 'checkpoint-aborted', sessionId, attempt, checkpointId });
      },
      allSubtasksAlive: () => options.isCurrent() && subtasks.allAlive(),
    });
  }

  ack(m: RpcMessageOf<'checkpoint-ack'>): void {
    this.answered(m.vertexId, m.subtaskIndex, m.checkpointId);
    this.coordinator.receiveAck(m);
  }

  decline(m: RpcMessageOf<'checkpoint-decline'>): void {
    this.answered(m.vertexId, m.subtaskIndex, m.checkpointId);
    this.coordinator.receiveDecline(m);
  }

  /**
   * An ended subtask gets no barrier any more: the checkpoint in flight, if it has not answered it,
   * is triggered at it directly (it ignores the trigger should it have taken it at the barrier). Once
   * every subtask ended, the final checkpoint is triggered.
   */
  subtaskEnded(vertexId: string, subtaskIndex: number): void {
    const c = this.inFlight;
    if (c !== null && !c.answered.has(subtaskKey(vertexId, subtaskIndex))) {
      this.sendTrigger(this.options.subtasks.get(vertexId, subtaskIndex)!.taskManagerId, vertexId, subtaskIndex, c);
    }
    if (this.options.subtasks.every('ENDED')) this.coordinator.allSubtasksEnded();
  }

  stop(): void {
    this.coordinator.stop();
    this.inFlight = null;
  }

  private answered(vertexId: string, subtaskIndex: number, checkpointId: number): void {
    if (this.inFlight?.checkpointId === checkpointId) this.inFlight.answered.add(subtaskKey(vertexId, subtaskIndex));
  }

  private sendTrigger(taskManagerId: string, vertexId: string, subtaskIndex: number, c: CheckpointInFlight): void {
    this.options.taskManagers.send(taskManagerId, {
      type: 'trigger-checkpoint',
      sessionId: this.options.sessionId,
      attempt: this.options.attempt,
      vertexId,
      subtaskIndex,
      checkpointId: c.checkpointId,
      timestamp: c.timestamp,
      savepoint: c.savepoint,
      ...(c.stop ? { stop: true } : {}),
    });
  }
}
