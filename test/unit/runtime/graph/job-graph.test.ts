import { describe, expect, it } from '@jest/globals';
import { CollectSink, StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { createDeploymentDescriptors } from '../../../../runtime/task/task-deployment-descriptor.ts';

function pipeline(env: StreamExecutionEnvironment, extraBranch = false): void {
  const mapped = env
    .fromElements(1, 2, 3)
    .map((x: number) => x * 2)
    .name('Double');
  mapped
    .filter((x) => x > 2)
    .name('Big')
    .keyBy((x) => x % 2)
    .sum()
    .name('Sum')
    .sinkTo(new CollectSink<number>())
    .name('Collect');
  if (extraBranch) mapped.map((x) => x + 1).name('Extra').sinkTo(new CollectSink<number>());
}

describe('JobGraph', () => {
  it('chains source -> map -> filter into one vertex and starts a new one at keyBy', () => {
    const env = new StreamExecutionEnvironment();
    pipeline(env);
    const graph = env.getJobGraph('chaining');
    expect(graph.vertices.map((v) => v.name)).toEqual(['Source: Collection -> Double -> Big', 'Sum -> Collect']);
    expect(graph.edges.map((e) => [e.source.name, e.partitioner.kind, e.target.name])).toEqual([
      ['Source: Collection -> Double -> Big', 'hash', 'Sum -> Collect'],
    ]);
    expect(graph.vertices[1]!.operators.map((o) => o.name)).toEqual(['Sum', 'Collect']);
  });

  it('does not chain across a change of parallelism and uses rebalance there', () => {
    const env = new StreamExecutionEnvironment().setParallelism(3);
    env
      .fromElements('a', 'b')
      .map((s: string) => s.toUpperCase())
      .name('Upper')
      .sinkTo(new CollectSink<string>());
    const graph = env.getJobGraph();
    expect(graph.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: Collection', 1],
      ['Upper -> Sink', 3],
    ]);
    expect(graph.edges[0]!.partitioner.kind).toBe('rebalance');
  });

  it('honours disableChaining on both sides of the operator', () => {
    const env = new StreamExecutionEnvironment();
    env
      .fromElements(1)
      .map((x: number) => x)
      .name('A')
      .map((x) => x)
      .name('B')
      .disableChaining()
      .map((x) => x)
      .name('C')
      .sinkTo(new CollectSink<number>());
    expect(env.getJobGraph().vertices.map((v) => v.name)).toEqual(['Source: Collection -> A', 'B', 'C -> Sink']);
  });

  it('derives the same operator ids from the same pipeline, and keeps them when a branch is added later', () => {
    const ids = (extra: boolean) => {
      const env = new StreamExecutionEnvironment();
      pipeline(env, extra);
      return new Map(env.getStreamGraph().nodes.map((n) => [n.name, n.operatorId]));
    };
    const first = ids(false);
    const again = ids(false);
    const withBranch = ids(true);
    expect([...again]).toEqual([...first]);
    for (const [name, id] of first) expect(withBranch.get(name)).toBe(id);
    expect(new Set(first.values()).size).toBe(first.size);
    for (const id of first.values()) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('takes the operator id from uid() wherever the operator sits', () => {
    const idOf = (build: (env: StreamExecutionEnvironment) => void) => {
      const env = new StreamExecutionEnvironment();
      build(env);
      return env.getStreamGraph().nodes.find((n) => n.uid === 'my-op')!.operatorId;
    };
    const a = idOf((env) => env.fromElements(1).map((x: number) => x).uid('my-op').sinkTo(new CollectSink<number>()));
    const b = idOf((env) =>
      env
        .fromElements(1)
        .filter(() => true)
        .map((x: number) => x + 1)
        .uid('my-op')
        .sinkTo(new CollectSink<number>()),
    );
    expect(a).toBe(b);
  });

  it('rejects duplicate uids and forward edges between different parallelisms', () => {
    const env = new StreamExecutionEnvironment();
    const s = env.fromElements(1);
    s.map((x: number) => x).uid('dup').name('first');
    s.map((x: number) => x).uid('dup').name('second');
    expect(() => env.getStreamGraph()).toThrow('uid "dup" is used by both "first" and "second"; uids must be unique');

    const env2 = new StreamExecutionEnvironment();
    env2.fromElements(1).forward().map((x: number) => x).name('Wide').setParallelism(2);
    expect(() => env2.getStreamGraph()).toThrow(
      'forward edge from "Source: Collection" (parallelism 1) to "Wide" (parallelism 2) needs equal parallelism; use rebalance() or keyBy()',
    );
  });

  it('describes every subtask in a plain-JSON deployment descriptor with consistent channel ids', () => {
    const env = new StreamExecutionEnvironment().setParallelism(2);
    env
      .fromElements(1, 2, 3)
      .keyBy((x: number) => x)
      .sum()
      .sinkTo(new CollectSink<number>());
    const graph = env.getJobGraph('tdd');
    const tdds = createDeploymentDescriptors(graph, 'job-1');
    expect(JSON.parse(JSON.stringify(tdds))).toEqual(tdds);
    expect(tdds.map((d) => [d.vertexId === graph.vertices[0]!.id ? 'up' : 'down', d.subtaskIndex, d.keyGroupRange])).toEqual([
      ['up', 0, { start: 0, end: 127 }],
      ['down', 0, { start: 0, end: 63 }],
      ['down', 1, { start: 64, end: 127 }],
    ]);
    const [up, down0, down1] = tdds;
    expect(up!.outputs[0]!.channels).toEqual([
      { channelId: 0, targetSubtask: 0 },
      { channelId: 1, targetSubtask: 1 },
    ]);
    expect(down0!.inputs.map((i) => i.channelId)).toEqual([0]);
    expect(down1!.inputs.map((i) => i.channelId)).toEqual([1]);
  });
});
