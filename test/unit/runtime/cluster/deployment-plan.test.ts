import { describe, expect, it } from '@jest/globals';
import { StreamExecutionEnvironment } from '../../../../runtime/api/index.ts';
import { planDeployment } from '../../../../runtime/cluster/deployment-plan.ts';
import { assignSlots, requiredSlots, subtaskKey } from '../../../../runtime/cluster/slot-assignment.ts';
import type { JobGraph } from '../../../../runtime/graph/job-graph.ts';

/** Source (parallelism 1) -> keyBy -> sum (parallelism 3) -> print. */
function graph(): JobGraph {
  const env = new StreamExecutionEnvironment().setParallelism(3);
  env
    .fromCollection([1, 2, 3])
    .setParallelism(1)
    .keyBy((n) => n % 2)
    .sum()
    .print();
  return env.getJobGraph('plan');
}

describe('slot assignment (slot sharing, spread evenly)', () => {
  it('needs as many slots as the widest vertex and deals slots round-robin over TaskManagers', () => {
    const g = graph();
    expect(requiredSlots(g)).toBe(3);
    const a = assignSlots(g, [
      { taskManagerId: 'tm-b', slots: 2 },
      { taskManagerId: 'tm-a', slots: 2 },
    ]);
    const [source, sum] = g.vertices;
    expect([0, 1, 2].map((i) => a.get(subtaskKey(sum!.id, i)))).toEqual(['tm-a', 'tm-b', 'tm-a']);
    expect(a.get(subtaskKey(source!.id, 0))).toBe('tm-a');
  });

  it('refuses when the offers hold too few slots', () => {
    expect(() => assignSlots(graph(), [{ taskManagerId: 'tm-a', slots: 2 }])).toThrow('job "plan" needs 3 slots, 2 are offered');
  });
});

describe('deployment plan', () => {
  it('locates remote channels at the consumer (writer) and producer (input); local ones stay local', () => {
    const g = graph();
    const a = assignSlots(g, [
      { taskManagerId: 'tm-a', slots: 2 },
      { taskManagerId: 'tm-b', slots: 1 },
    ]);
    const address = (id: string) => `${id}:6121`;
    const plan = planDeployment(g, 'job-1', 4, a, address);
    expect(plan).toHaveLength(4);
    const source = plan.find((p) => p.descriptor.vertexId === g.vertices[0]!.id)!;
    expect(source.taskManagerId).toBe('tm-a');
    expect(source.descriptor.attemptNumber).toBe(4);
    expect(source.descriptor.outputs[0]!.channels.map((c) => c.location)).toEqual([undefined, 'tm-b:6121', undefined]);
    const consumers = plan.filter((p) => p.descriptor.vertexId === g.vertices[1]!.id);
    expect(consumers.map((c) => [c.taskManagerId, c.producers])).toEqual([
      ['tm-a', {}],
      ['tm-b', { [String(source.descriptor.outputs[0]!.channels[1]!.channelId)]: 'tm-a:6121' }],
      ['tm-a', {}],
    ]);
  });
});
