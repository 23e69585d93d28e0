import type { OperatorChain } from './operator-chain.ts';

/** Records in and out of one operator of one subtask, for REST, /metrics and the job result. */
export interface OperatorMetrics {
  readonly operatorId: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly subtaskIndex: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

export function operatorMetrics(chain: OperatorChain, subtaskIndex: number): OperatorMetrics[] {
  return chain.operators.map((c) => ({
    operatorId: c.node.operatorId,
    name: c.node.name,
    uid: c.node.uid,
    subtaskIndex,
    recordsIn: chain.recordsIn(c),
    recordsOut: c.output.recordsOut,
  }));
}
