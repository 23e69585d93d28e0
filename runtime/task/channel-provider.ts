import type { JobEdge } from '../graph/job-graph.ts';
import type { ChannelWriter, InputChannel } from '../network/channel.ts';
import type { ChannelTarget, InputChannelDescriptor } from './task-deployment-descriptor.ts';

/** Creates the ends of a task's channels: local hand-over in one process, TCP between processes. */
export interface ChannelProvider {
  createInputChannel(descriptor: InputChannelDescriptor, edge: JobEdge): InputChannel;
  createChannelWriter(target: ChannelTarget, edge: JobEdge): ChannelWriter;
}
