import { describe, expect, it } from '@jest/globals';
import {
  CollectSink,
  GeneratorSource,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../../runtime/api/index.ts';
import { resolveConfig } from '../../../runtime/config/load-config.ts';
import type { JobGraph } from '../../../runtime/graph/job-graph.ts';
import { DataPlane } from '../../../runtime/network/data-plane.ts';
import { LocalChannel } from '../../../runtime/network/local-channel.ts';
import type { ChannelProvider } from '../../../runtime/task/channel-provider.ts';
import { StreamTask } from '../../../runtime/task/stream-task.ts';
import { createDeploymentDescriptors, type TaskDeploymentDescriptor } from '../../../runtime/task/task-deployment-descriptor.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';
import { SourceCoordinators } from '../../../runtime/cluster/source-coordinators.ts';
import { TEST_RUN_KEY } from '../../support/run-key.ts';

/** The job, as every "process" builds it from the same code. */
function build(sink: CollectSink<string>): JobGraph {
  const env = localEnvironment().setParallelism(3);
  env
    .fromSource(
      new GeneratorSource({ count: 30_000, generate: (n) => n, timestamp: (n) => n }),
      WatermarkStrategy.forMonotonousTimestamps<number>(),
      'Numbers',
    )
    .setParallelism(2)
    .keyBy((n) => n % 7)
    .window(TumblingEventTimeWindows.of(1000))
    .process<string>({
      process(key, ctx, elements, out) {
        out.collect(`${key}@${ctx.window().start}:${elements.length}`);
      },
    })
    .sinkTo(sink);
  return env.getJobGraph('remote');
}

/**
 * Deploys every subtask from its JSON descriptor in one of two "processes", each with its own
 * data plane: the source vertex in one, the window vertex in the other, so every record, watermark
 * and end-of-partition of the keyBy edge crosses loopback TCP.
 */
describe('a job whose keyBy edge crosses TCP', () => {
  it('gives exactly the windows of an in-process run', async () => {
    const network = resolveConfig({ network: { bufferTimeout: '2ms' } }).network;
    const planes = [0, 1].map((p) => new DataPlane({ jobId: 'remote', fencingToken: 0, processId: `tm-${p}`, network, runKey: TEST_RUN_KEY }));
    try {
      const addresses = await Promise.all(planes.map((p) => p.listen('127.0.0.1', 0)));
      const sink = new CollectSink<string>();
      const graph = build(sink);
      const processOf = (vertexId: string) => graph.vertices.findIndex((v) => v.id === vertexId);
      const descriptors = createDeploymentDescriptors(graph, 'remote').map((d) => JSON.parse(JSON.stringify(d)) as TaskDeploymentDescriptor);
      // Where each channel's producer and consumer run, from the descriptors alone.
      const producerOf = new Map<number, number>();
      const consumerOf = new Map<number, number>();
      for (const d of descriptors) {
        for (const o of d.outputs) for (const c of o.channels) producerOf.set(c.channelId, processOf(d.vertexId));
        for (const i of d.inputs) consumerOf.set(i.channelId, processOf(d.vertexId));
      }
      const local = new Map<number, LocalChannel>();
      const localChannel = (id: number) => local.get(id) ?? local.set(id, new LocalChannel(id)).get(id)!;
      const provider = (process: number): ChannelProvider => ({
        createInputChannel: (d, edge) =>
          producerOf.get(d.channelId) === process
            ? localChannel(d.channelId)
            : planes[process]!.registerInput(d.channelId, edge.serializer, addresses[producerOf.get(d.channelId)!]),
        createChannelWriter: (t, edge) =>
          consumerOf.get(t.channelId) === process
            ? localChannel(t.channelId)
            : planes[process]!.createWriter(addresses[consumerOf.get(t.channelId)!]!, t.channelId, edge.serializer),
      });
      // The source's enumerator, as the JobManager runs it, talks to the source subtasks directly.
      const tasks: StreamTask[] = [];
      const coordinators = new SourceCoordinators(
        graph,
        (vertexId, subtask, event) => tasks.find((t) => t.vertex.id === vertexId && t.descriptor.subtaskIndex === subtask)!.handleCoordinatorEvent(event),
        (e) => {
          throw e;
        },
      );
      for (const d of descriptors) {
        tasks.push(new StreamTask(graph, d, { channels: provider(processOf(d.vertexId)), readerEvents: (event) => coordinators.handleReaderEvent(d.vertexId, d.subtaskIndex, event) }));
      }
      await Promise.all(tasks.map((t) => t.run()));

      const expectedSink = new CollectSink<string>();
      const { LocalExecutor } = await import('../../../runtime/cluster/local-executor.ts');
      await new LocalExecutor().execute(build(expectedSink));
      expect(sink.values.length).toBe(7 * 30);
      expect([...sink.values].sort()).toEqual([...expectedSink.values].sort());
      expect(sink.values).toContain(`3@29000:${Array.from({ length: 1000 }, (_, i) => 29_000 + i).filter((n) => n % 7 === 3).length}`);
    } finally {
      await Promise.all(planes.map((p) => p.close()));
    }
  });
});
