import type { CheckpointStorageLocation } from './checkpoint-location.ts';
import type { CheckpointMetadata, OperatorState, OperatorSubtaskState } from './metadata.ts';

/** One operator of the job as the metadata records it. */
export interface CheckpointedOperator {
  readonly operatorId: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly uid?: string;
  readonly name?: string;
  /** It runs on a keyed stream. */
  readonly keyed?: boolean;
}

/** A subtask's acknowledgement: where it wrote each chained operator's state. */
export interface SubtaskStateAck {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly checkpointId: number;
  /** By operator id; operators without state may be left out. */
  readonly states: Readonly<Record<string, OperatorSubtaskState>>;
  readonly alignmentDurationMs: number;
}

/**
 * A triggered checkpoint or savepoint waiting for every subtask's acknowledgement (Flink's
 * PendingCheckpoint). It turns the acknowledged state handles into the `_metadata` document.
 */
export class PendingCheckpoint {
  private readonly acks = new Map<string, SubtaskStateAck>();
  latestAckTimestamp = 0;

  constructor(
    readonly checkpointId: number,
    readonly timestamp: number,
    readonly savepoint: boolean,
    readonly location: CheckpointStorageLocation,
    private readonly expectedSubtasks: number,
  ) {}

  /** False when the subtask had already acknowledged. */
  acknowledge(ack: SubtaskStateAck): boolean {
    const key = `${ack.vertexId}/${ack.subtaskIndex}`;
    if (this.acks.has(key)) return false;
    this.acks.set(key, ack);
    this.latestAckTimestamp = Date.now();
    return true;
  }

  get isFullyAcknowledged(): boolean {
    return this.acks.size === this.expectedSubtasks;
  }

  get alignmentDurationMs(): number {
    let longest = 0;
    for (const ack of this.acks.values()) longest = Math.max(longest, ack.alignmentDurationMs);
    return longest;
  }

  metadata(jobId: string, operators: readonly CheckpointedOperator[]): CheckpointMetadata {
    const byOperator: Record<string, OperatorState> = {};
    for (const op of operators) {
      byOperator[op.operatorId] = {
        parallelism: op.parallelism,
        maxParallelism: op.maxParallelism,
        ...(op.uid === undefined ? {} : { uid: op.uid }),
        ...(op.name === undefined ? {} : { name: op.name }),
        ...(op.keyed === undefined ? {} : { keyed: op.keyed }),
        subtasks: Array.from({ length: op.parallelism }, () => ({})),
      };
    }
    for (const ack of this.acks.values()) {
      for (const [operatorId, state] of Object.entries(ack.states)) {
        const op = byOperator[operatorId];
        if (!op) throw new Error(`checkpoint ${this.checkpointId}: subtask ${ack.subtaskIndex} of vertex ${ack.vertexId} acknowledged state of unknown operator ${operatorId}`);
        op.subtasks[ack.subtaskIndex] = state;
      }
    }
    return {
      version: 1,
      checkpointId: this.checkpointId,
      jobId,
      kind: this.savepoint ? 'savepoint' : 'checkpoint',
      timestamp: this.timestamp,
      operators: byOperator,
    };
  }
}
