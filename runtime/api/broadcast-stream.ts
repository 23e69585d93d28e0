import type { Transformation } from '../graph/transformation.ts';
import type { MapStateDescriptor } from '../state/state-descriptor.ts';
import type { StreamExecutionEnvironment } from './stream-execution-environment.ts';

/**
 * A stream broadcast to every subtask of the operator it is connected to, with the broadcast
 * states that operator keeps (`stream.broadcast(...descriptors)`, as Flink's BroadcastStream).
 * Connect a (keyed) stream to it: `stream.connect(broadcastStream).process(...)`.
 */
export class BroadcastStream<T> {
  declare readonly __type?: T;

  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
    readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {}
}
