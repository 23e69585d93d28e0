import type { JobVertex } from '../graph/job-graph.ts';
import type { StreamNode } from '../graph/stream-graph.ts';
import type { RecordWriter } from '../network/record-writer.ts';
import { OperatorError } from '../operators/operator-error.ts';
import { OperatorOutput, type RecordTarget } from '../operators/output.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { TaskDeploymentDescriptor } from './task-deployment-descriptor.ts';
import type { ProcessingTimeService } from './processing-time-service.ts';

/** Names the operator in a failure; a failure already named by a later operator passes unchanged. */
export function operatorFailure(error: unknown, node: StreamNode, subtaskIndex: number): OperatorError {
  return error instanceof OperatorError ? error : new OperatorError(node.name, node.uid, node.operatorId, subtaskIndex, error);
}

/** The next operator of the chain, called directly. */
class ChainedTarget implements RecordTarget {
  constructor(
    private readonly operator: StreamOperator,
    private readonly node: StreamNode,
    private readonly subtaskIndex: number,
  ) {}
  push(value: unknown, timestamp: number): void {
    this.operator.recordsIn++;
    try {
      this.operator.processElement(value, timestamp);
    } catch (e) {
      throw operatorFailure(e, this.node, this.subtaskIndex);
    }
  }
  watermark(timestamp: number): void {
    try {
      this.operator.processWatermark(timestamp);
    } catch (e) {
      throw operatorFailure(e, this.node, this.subtaskIndex);
    }
  }
  idle(idle: boolean): void {
    this.operator.processIdle(idle);
  }
}

/** An outgoing edge of the task. Partitioning runs the consumer's key selector, so failures name the consumer. */
class WriterTarget implements RecordTarget {
  constructor(
    private readonly writer: RecordWriter,
    private readonly consumer: StreamNode,
    private readonly subtaskIndex: number,
  ) {}
  push(value: unknown, timestamp: number): void {
    try {
      this.writer.emit(value, timestamp);
    } catch (e) {
      throw operatorFailure(e, this.consumer, this.subtaskIndex);
    }
  }
  watermark(timestamp: number): void {
    this.writer.broadcastEvent({ kind: 'watermark', timestamp });
  }
  idle(idle: boolean): void {
    this.writer.broadcastEvent({ kind: 'idle', idle });
  }
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
  ) {
    const built = new Map<StreamNode, ChainedOperator>();
    const chained = new Set(vertex.chainedEdges);
    for (const node of [...vertex.operators].reverse()) {
      const main: RecordTarget[] = [];
      const sides = new Map<string, RecordTarget[]>();
      for (const e of node.outEdges) {
        const target = chained.has(e)
          ? new ChainedTarget(built.get(e.target)!.operator, e.target, tdd.subtaskIndex)
          : new WriterTarget(writers.get(e.id)!, e.target, tdd.subtaskIndex);
        if (e.sideOutputTag === undefined) main.push(target);
        else sides.set(e.sideOutputTag.id, [...(sides.get(e.sideOutputTag.id) ?? []), target]);
      }
      const output = new OperatorOutput(main, sides);
      const operator = node.createOperator();
      operator.setup({
        operatorId: node.operatorId,
        name: node.name,
        uid: node.uid,
        taskName: `${vertex.name} (${tdd.subtaskIndex + 1}/${tdd.parallelism})`,
        subtaskIndex: tdd.subtaskIndex,
        parallelism: tdd.parallelism,
        maxParallelism: tdd.maxParallelism,
        attemptNumber: tdd.attemptNumber,
        keyGroupRange: tdd.keyGroupRange,
        keySelector: node.keySelector,
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
