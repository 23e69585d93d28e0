import type { JobVertex } from '../graph/job-graph.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { OperatorError } from '../operators/operator-error.ts';
import { OperatorOutput, type BlamedTarget } from '../operators/output.ts';
import { asOneInput, type StreamOperator } from '../operators/stream-operator.ts';
import type { TaskDeploymentDescriptor } from './task-deployment-descriptor.ts';
import type { ProcessingTimeService } from '../core/processing-time-service.ts';

/** Names the operator in a failure; a failure already named by a later operator passes unchanged. */
export function operatorFailure(error: unknown, node: StreamNode, subtaskIndex: number): OperatorError {
  return error instanceof OperatorError ? error : new OperatorError(node.name, node.uid, node.operatorId, subtaskIndex, error);
}

export interface ChainedOperator {
  readonly node: StreamNode;
  readonly operator: StreamOperator;
  readonly output: OperatorOutput;
}

/**
 * The operators of one vertex wired together for one subtask: each operator's output calls the
 * next operators directly and writes to the record writers of the vertex's outgoing edges.
 */
export class OperatorChain {
  /** Topological order, head first. */
  readonly operators: readonly ChainedOperator[];

  constructor(
    vertex: JobVertex,
    tdd: TaskDeploymentDescriptor,
    writers: ReadonlyMap<string, RecordWriter>,
    time: ProcessingTimeService,
    checkpointing: boolean,
  ) {
    const built = new Map<StreamNode, ChainedOperator>();
    const chained = new Set(vertex.chainedEdges);
    for (const node of [...vertex.operators].reverse()) {
      const main: BlamedTarget[] = [];
      const sides = new Map<string, BlamedTarget[]>();
      for (const e of node.outEdges) {
        // Partitioning runs the consumer's key selector, so failures of a writer name the consumer too.
        const target: BlamedTarget = {
          target: chained.has(e) ? asOneInput(built.get(e.target)!.operator, e.target.name) : writers.get(e.id)!,
          blame: (error) => operatorFailure(error, e.target, tdd.subtaskIndex),
        };
        if (e.sideOutputTag === undefined) main.push(target);
        else sides.set(e.sideOutputTag.id, [...(sides.get(e.sideOutputTag.id) ?? []), target]);
      }
      const output = new OperatorOutput(main, sides);
      let operator: StreamOperator;
      try {
        operator = node.createOperator();
      } catch (e) {
        throw operatorFailure(e, node, tdd.subtaskIndex);
      }
      operator.setup({
        operatorId: node.operatorId,
        name: node.name,
        uid: node.uid,
        taskName: `${vertex.name} (${tdd.subtaskIndex + 1}/${tdd.parallelism})`,
        subtaskIndex: tdd.subtaskIndex,
        parallelism: tdd.parallelism,
        maxParallelism: tdd.maxParallelism,
        attemptNumber: tdd.attemptNumber,
        checkpointing,
        keyGroupRange: tdd.keyGroupRange,
        keySelector: node.keySelector,
        keySelector2: node.keySelector2,
        output,
        time,
      });
      built.set(node, { node, operator, output });
    }
    this.operators = vertex.operators.map((n) => built.get(n)!);
  }

  get head(): ChainedOperator {
    return this.operators[0]!;
  }

  /** Records that reached operator `c`: counted by the task for the head, by the producing output inside the chain. */
  recordsIn(c: ChainedOperator): number {
    if (c === this.head) return c.operator.recordsIn;
    let n = 0;
    for (const e of c.node.inEdges) {
      const producer = this.operators.find((p) => p.node === e.source);
      if (!producer) continue;
      n += e.sideOutputTag === undefined ? producer.output.mainRecords : producer.output.sideCount(e.sideOutputTag.id);
    }
    return n;
  }

  /** Runs `action` on each operator in order, naming the operator if it fails. */
  forEach(action: (c: ChainedOperator) => void, subtaskIndex: number, reverse = false): void {
    const list = reverse ? [...this.operators].reverse() : this.operators;
    for (const c of list) {
      try {
        action(c);
      } catch (e) {
        throw operatorFailure(e, c.node, subtaskIndex);
      }
    }
  }
}
