import type { Key, KeySelector } from '../core/key.ts';
import type { OutputTag } from '../functions/output-tag.ts';
import { isPhysical, type PartitionerSpec, type Transformation } from './transformation.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';
import type { StreamOperator } from '../operators/stream-operator.ts';
import { operatorIdFromPosition, operatorIdFromUid } from './operator-id.ts';

/** One operator of the job with its resolved parallelism and stable id. */
export interface StreamNode {
  readonly id: number;
  readonly operatorId: string;
  readonly name: string;
  readonly uid: string | undefined;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly chaining: 'always' | 'never';
  readonly isSource: boolean;
  /** The operator has two logical inputs (a TwoInputStreamOperator); its in-edges say which each feeds. */
  readonly twoInput: boolean;
  readonly createOperator: () => StreamOperator;
  readonly keySelector: KeySelector<unknown, Key> | undefined;
  /** Of a two-input operator on keyed streams: the key of its second input's records. */
  readonly keySelector2: KeySelector<unknown, Key> | undefined;
  readonly serializer: TypeSerializer | undefined;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
}

export interface StreamEdge {
  readonly id: string;
  readonly source: StreamNode;
  readonly target: StreamNode;
  readonly partitioner: PartitionerSpec;
  /** Which input of the target the edge feeds: 0, or 1 for the second input of a two-input operator. */
  readonly inputIndex: 0 | 1;
  /** Set when the edge carries a side output of the source instead of its main output. */
  readonly sideOutputTag: OutputTag<unknown> | undefined;
  /** How records cross processes on this edge; undefined: the default (msgpackr). */
  readonly serializer: TypeSerializer | undefined;
}

export interface StreamGraphConfig {
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/** Operators and edges of a job, in topological (creation) order. */
export class StreamGraph {
  constructor(
    readonly nodes: readonly StreamNode[],
    readonly config: StreamGraphConfig,
  ) {}

  node(id: number): StreamNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no stream node ${id}`);
    return n;
  }
}

interface ResolvedInput {
  readonly node: StreamNode;
  readonly inputIndex: 0 | 1;
  readonly partitioner: PartitionerSpec | undefined;
  readonly tag: OutputTag<unknown> | undefined;
  readonly serializer: TypeSerializer | undefined;
}

/**
 * Turns transformations into a StreamGraph: virtual transformations fold into edges, default
 * edges are forward (same parallelism) or rebalance, and every node gets its stable operator id.
 */
export function generateStreamGraph(transformations: readonly Transformation[], config: StreamGraphConfig): StreamGraph {
  const nodes = new Map<number, StreamNode>();
  const uids = new Map<string, string>();
  let sourceCount = 0;

  const resolve = (t: Transformation): ResolvedInput[] => {
    switch (t.kind) {
      case 'source':
      case 'operator':
      case 'two-input': {
        const node = nodes.get(t.id);
        if (!node) throw new Error(`transformation "${t.name}" is used before it was created`);
        return [{ node, inputIndex: 0, partitioner: undefined, tag: undefined, serializer: node.serializer }];
      }
      case 'partition':
        return resolve(t.inputs[0]!).map((r) => ({ ...r, partitioner: t.spec.partitioner }));
      case 'side-output':
        return resolve(t.inputs[0]!).map((r) => ({ ...r, tag: t.spec.sideOutputTag, serializer: t.serializer }));
      case 'union':
        return t.inputs.flatMap(resolve);
    }
  };

  for (const t of transformations) {
    if (!isPhysical(t)) continue;
    const parallelism = t.parallelism ?? t.spec.defaultParallelism ?? config.parallelism;
    if (!Number.isInteger(parallelism) || parallelism < 1) throw new Error(`operator "${t.name}": parallelism must be a positive integer, got ${parallelism}`);
    if (parallelism > config.maxParallelism) {
      throw new Error(`operator "${t.name}": parallelism ${parallelism} exceeds maxParallelism ${config.maxParallelism}`);
    }
    const twoInput = t.kind === 'two-input';
    if (twoInput && t.inputs.length !== 2) throw new Error(`two-input operator "${t.name}" needs exactly two inputs, got ${t.inputs.length}`);
    const inputs = t.inputs.flatMap((input, i) => resolve(input).map((r) => ({ ...r, inputIndex: (twoInput ? i : 0) as 0 | 1 })));
    let operatorId: string;
    if (t.uid !== undefined) {
      const other = uids.get(t.uid);
      if (other !== undefined) throw new Error(`uid "${t.uid}" is used by both "${other}" and "${t.name}"; uids must be unique`);
      uids.set(t.uid, t.name);
      operatorId = operatorIdFromUid(t.uid);
    } else {
      operatorId = operatorIdFromPosition(
        t.kind === 'source' ? `source#${sourceCount}` : t.kind,
        inputs.map((r) => ({
          operatorId: r.node.operatorId,
          partitioner: r.partitioner?.kind ?? 'default',
          tag: r.tag?.id ?? '',
          outputIndex: r.node.outEdges.length,
        })),
      );
    }
    if (t.kind === 'source') sourceCount++;
    const node: StreamNode = {
      id: t.id,
      operatorId,
      name: t.name,
      uid: t.uid,
      parallelism,
      maxParallelism: config.maxParallelism,
      chaining: t.chaining,
      isSource: t.kind === 'source',
      twoInput,
      createOperator: t.spec.createOperator!,
      keySelector: t.spec.keySelector,
      keySelector2: t.spec.keySelector2,
      serializer: t.serializer,
      inEdges: [],
      outEdges: [],
    };
    for (const r of inputs) {
      const partitioner: PartitionerSpec = r.partitioner ?? { kind: r.node.parallelism === parallelism ? 'forward' : 'rebalance' };
      if (partitioner.kind === 'forward' && r.node.parallelism !== parallelism) {
        throw new Error(
          `forward edge from "${r.node.name}" (parallelism ${r.node.parallelism}) to "${t.name}" (parallelism ${parallelism}) ` +
            'needs equal parallelism; use rebalance() or keyBy()',
        );
      }
      const same = node.inEdges.filter((e) => e.source === r.node).length;
      const edge: StreamEdge = {
        id: `${r.node.operatorId}>${operatorId}#${same}`,
        source: r.node,
        target: node,
        partitioner,
        inputIndex: r.inputIndex,
        sideOutputTag: r.tag,
        serializer: r.serializer,
      };
      r.node.outEdges.push(edge);
      node.inEdges.push(edge);
    }
    nodes.set(t.id, node);
  }
  return new StreamGraph([...nodes.values()], config);
}
