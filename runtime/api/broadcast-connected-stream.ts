import type { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from '../functions/broadcast-functions.ts';
import { perSubtask, requireMethod, type Key, type KeySelector } from '../functions/functions.ts';
import type { Transformation } from '../graph/transformation.ts';
import { CoBroadcastOperator } from '../operators/co-broadcast-operator.ts';
import type { BroadcastStream } from './broadcast-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import type { DataStream } from './data-stream.ts';

/**
 * A stream (keyed or not) connected with a broadcast stream, as Flink's BroadcastConnectedStream:
 * `process` runs a BroadcastProcessFunction, or on a keyed stream a KeyedBroadcastProcessFunction,
 * in an operator whose first input is the stream and whose second is the broadcast one.
 */
export class BroadcastConnectedStream<IN1, IN2, K extends Key = never> {
  constructor(
    private readonly input: Transformation,
    private readonly broadcast: BroadcastStream<IN2>,
    private readonly keySelector?: KeySelector<IN1, K>,
  ) {}

  process<R>(fn: [K] extends [never] ? BroadcastProcessFunction<IN1, IN2, R> : KeyedBroadcastProcessFunction<K, IN1, IN2, R>): DataStream<R> {
    requireMethod('process', fn, 'processElement');
    requireMethod('process', fn, 'processBroadcastElement');
    const descriptors = this.broadcast.descriptors;
    const connected = new ConnectedStreams<IN1, IN2, K>(
      this.broadcast.env,
      this.input,
      this.broadcast.transformation,
      this.keySelector && { first: this.keySelector, second: undefined },
    );
    return connected.transform<R>(this.keySelector ? 'Keyed Broadcast Process' : 'Broadcast Process', () => new CoBroadcastOperator(perSubtask(fn), descriptors));
  }
}
