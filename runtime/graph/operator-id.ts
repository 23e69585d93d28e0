import { createHash } from 'node:crypto';

/**
 * Stable operator ids (32 hex characters, as Flink's): state is mapped back to operators by
 * them on restore, so the same job module must always give the same ids.
 */

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

export function operatorIdFromUid(uid: string): string {
  return hash(`uid:${uid}`);
}

/** Where an operator's input comes from: the producer's id, the edge kind, and which output of the producer it is. */
export interface InputPosition {
  readonly operatorId: string;
  readonly partitioner: string;
  readonly tag: string;
  readonly outputIndex: number;
}

/** An id derived from the operator's position: the path from the sources that leads to it. */
export function operatorIdFromPosition(kind: string, inputs: readonly InputPosition[]): string {
  const path = inputs.map((i) => `${i.operatorId}/${i.partitioner}/${i.tag}/${i.outputIndex}`).join(',');
  return hash(`pos:${kind}:${path}`);
}
