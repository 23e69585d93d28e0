import type { PartitionerSpec } from './transformation.ts';
import type { TypeSerializer } from '../core/type-serializer.ts';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.ts';

/**
 * A vertex of the JobGraph: an operator chain that runs as one task per subtask. Records
 * pass between its operators as plain calls; `operators` is in topological order, head first.
 */
export interface JobVertex {
  /** The head operator's id. */
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly isSource: boolean;
  readonly head: StreamNode;
  readonly operators: readonly StreamNode[];
  readonly chainedEdges: readonly StreamEdge[];
  readonly inputs: JobEdge[];
  readonly outputs: JobEdge[];
}

/** An edge between two vertices: records cross it through channels. */
export interface JobEdge {
  readonly id: string;
  readonly source: JobVertex;
  readonly target: JobVertex;
  readonly streamEdge: StreamEdge;
  readonly partitioner: PartitionerSpec;
  /** Which input of the target's head operator the edge feeds (1 only for the second input of a two-input operator). */
  readonly inputIndex: 0 | 1;
  /** The serializer for remote channels of this edge; undefined: the default. */
  readonly serializer: TypeSerializer | undefined;
}

export class JobGraph {
  constructor(
    readonly jobName: string,
    readonly vertices: readonly JobVertex[],
    readonly edges: readonly JobEdge[],
  ) {}

  vertex(id: string): JobVertex {
    const v = this.vertices.find((x) => x.id === id);
    if (!v) throw new Error(`job graph "${this.jobName}" has no vertex ${id}`);
    return v;
  }

  /** A printable outline of the chains and edges, for logs and the CLI. */
  describe(): string {
    return this.vertices
      .map((v) => {
        const outs = v.outputs.map((e) => `  --${e.partitioner.kind}--> ${e.target.name}`).join('\n');
        return `[${v.name}] x${v.parallelism}${outs ? `\n${outs}` : ''}`;
      })
      .join('\n');
  }
}

/** Whether records on `edge` can pass by direct call inside one task. */
export function isChainable(edge: StreamEdge): boolean {
  return (
    edge.partitioner.kind === 'forward' &&
    edge.source.parallelism === edge.target.parallelism &&
    edge.target.inEdges.length === 1 &&
    !edge.target.twoInput &&
    edge.source.chaining === 'always' &&
    edge.target.chaining === 'always' &&
    !edge.target.isSource
  );
}

/** Chains forward edges of equal parallelism into vertices (disableChaining honoured). */
export function createJobGraph(jobName: string, graph: StreamGraph): JobGraph {
  const vertices: JobVertex[] = [];
  const vertexOf = new Map<StreamNode, JobVertex>();
  for (const node of graph.nodes) {
    if (node.inEdges.length === 1 && isChainable(node.inEdges[0]!)) continue;
    const operators: StreamNode[] = [];
    const chainedEdges: StreamEdge[] = [];
    const visit = (n: StreamNode) => {
      operators.push(n);
      for (const e of n.outEdges) {
        if (isChainable(e)) {
          chainedEdges.push(e);
          visit(e.target);
        }
      }
    };
    visit(node);
    const topo = graph.nodes.filter((n) => operators.includes(n));
    const vertex: JobVertex = {
      id: node.operatorId,
      name: topo.map((n) => n.name).join(' -> '),
      parallelism: node.parallelism,
      maxParallelism: node.maxParallelism,
      isSource: node.isSource,
      head: node,
      operators: topo,
      chainedEdges,
      inputs: [],
      outputs: [],
    };
    vertices.push(vertex);
    for (const n of topo) vertexOf.set(n, vertex);
  }
  const edges: JobEdge[] = [];
  for (const v of vertices) {
    for (const n of v.operators) {
      for (const e of n.outEdges) {
        if (v.chainedEdges.includes(e)) continue;
        const target = vertexOf.get(e.target)!;
        const edge: JobEdge = {
          id: e.id,
          source: v,
          target,
          streamEdge: e,
          partitioner: e.partitioner,
          inputIndex: e.inputIndex,
          serializer: e.serializer,
        };
        edges.push(edge);
        v.outputs.push(edge);
        target.inputs.push(edge);
      }
    }
  }
  return new JobGraph(jobName, vertices, edges);
}
