import type { Key, KeySelector } from '../core/key.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';

/** How records of an edge are distributed over the consumer's subtasks. */
export type PartitionerSpec =
  | { readonly kind: 'forward' }
  | { readonly kind: 'rebalance' }
  | { readonly kind: 'broadcast' }
  | { readonly kind: 'hash'; readonly keySelector: KeySelector<unknown, Key> };

export type TransformationKind = 'source' | 'operator' | 'two-input' | 'partition' | 'union' | 'side-output';

/**
 * One step of the pipeline as the user wrote it. Physical transformations (source, operator,
 * two-input) become StreamGraph nodes; virtual ones (partition, union, side-output) only shape the
 * edges. A two-input transformation has exactly two inputs: `inputs[0]` feeds its first input,
 * `inputs[1]` its second.
 */
export class Transformation {
  name: string;
  uid: string | undefined;
  parallelism: number | undefined;
  chaining: 'always' | 'never' = 'always';
  serializer: TypeSerializer | undefined;

  constructor(
    readonly id: number,
    readonly kind: TransformationKind,
    name: string,
    readonly inputs: readonly Transformation[],
    readonly spec: {
      readonly createOperator?: () => StreamOperator;
      /** Key of the operator's input (its first input), for keyed state and timers. */
      readonly keySelector?: KeySelector<unknown, Key>;
      /** Key of a two-input operator's second input. */
      readonly keySelector2?: KeySelector<unknown, Key>;
      readonly partitioner?: PartitionerSpec;
      readonly sideOutputTag?: OutputTag<unknown>;
      /** Sources that are not parallel (collections) default to parallelism 1. */
      readonly defaultParallelism?: number;
    },
  ) {
    this.name = name;
  }
}

/** Physical transformations become operators of the StreamGraph. */
export function isPhysical(t: Transformation): boolean {
  return t.kind === 'source' || t.kind === 'operator' || t.kind === 'two-input';
}
