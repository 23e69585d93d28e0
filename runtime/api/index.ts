/** The public API of Sluice for job authors: `import { ... } from 'sluice'` (in this repository, a relative path). */
export { StreamExecutionEnvironment, type CheckpointConfig, type CheckpointingMode } from './stream-execution-environment.ts';
export { DataStream } from './data-stream.ts';
export { KeyedStream } from './keyed-stream.ts';
export { ConnectedStreams } from './connected-streams.ts';
export { IntervalJoin, IntervalJoined } from './interval-join.ts';
export { CoGroupedStreams, type TaggedUnion } from './co-grouped-streams.ts';
export { JoinedStreams } from './joined-streams.ts';
export { BroadcastStream } from './broadcast-stream.ts';
export { BroadcastConnectedStream } from './broadcast-connected-stream.ts';
export { AsyncDataStream } from './async-data-stream.ts';
export { WindowedStream } from './windowed-stream.ts';
export { OutputTag } from '../functions/output-tag.ts';
export { WatermarkStrategy, type WatermarkGenerator, type WatermarkOutput, type TimestampAssigner } from '../functions/watermark-strategy.ts';
export { JobExecutionResult, type OperatorResult } from './job-execution-result.ts';
export type * from '../functions/functions.ts';
export type * from '../functions/co-functions.ts';
export type * from '../functions/join-functions.ts';
export type * from '../functions/broadcast-functions.ts';
export type { BroadcastState, ReadOnlyBroadcastState } from '../state/broadcast-state.ts';
export type { AsyncFunction, ResultFuture } from '../functions/async-function.ts';
export type { RuntimeContext } from '../functions/runtime-context.ts';
export { TimeWindow } from '../windowing/time-window.ts';
export type { WindowAssigner } from '../windowing/window-assigner.ts';
export type { Trigger, TriggerContext, TriggerResult } from '../windowing/trigger.ts';
export { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../windowing/tumbling-windows.ts';
export { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from '../windowing/sliding-windows.ts';
export { EventTimeSessionWindows, ProcessingTimeSessionWindows } from '../windowing/session-windows.ts';
export { EventTimeTrigger } from '../windowing/event-time-trigger.ts';
export { ProcessingTimeTrigger } from '../windowing/processing-time-trigger.ts';
export {
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
} from '../state/state-descriptor.ts';
export type { ValueState, ListState, MapState, ReducingState, StateOf } from '../state/keyed-state.ts';
export type { TimerService } from '../state/timer-service.ts';
export { CollectSink } from '../connectors/collect-sink.ts';
export { PrintSink } from '../connectors/print-sink.ts';
export { FileSink } from '../connectors/file-sink.ts';
export { ExactlyOnceFileSink } from '../connectors/exactly-once-file-sink.ts';
export { S3Sink, type S3SinkOptions } from '../connectors/s3-sink.ts';
export { FileSource, type FileSourceOptions } from '../connectors/file-source.ts';
export type { FileSourceSplit } from '../connectors/file-source-split.ts';
export { GeneratorSource, type GeneratorSourceOptions } from '../connectors/generator-source.ts';
export { KafkaSource, type KafkaSourceOptions } from '../connectors/kafka/kafka-source.ts';
export type { KafkaRecord } from '../connectors/kafka/kafka-source-reader.ts';
export type { StartingOffsets } from '../connectors/kafka/partition-discovery.ts';
export { KafkaSink } from '../connectors/kafka/kafka-sink.ts';
export type { KafkaSinkOptions } from '../connectors/kafka/kafka-sink-options.ts';
export type { KafkaProducerRecord } from '../connectors/kafka/producer-record.ts';
export type { Source, SourceSplit, Boundedness } from '../connectors/source.ts';
export type { SourceReader, SourceReaderContext, ReaderOutput, SourceOutput, InputStatus } from '../connectors/source-reader.ts';
export type { SplitEnumerator } from '../connectors/split-enumerator.ts';
export type { SplitEnumeratorContext, ReaderInfo } from '../connectors/split-enumerator-context.ts';
export type { SimpleVersionedSerializer } from '../connectors/simple-versioned-serializer.ts';
export { JsonVersionedSerializer } from '../connectors/json-versioned-serializer.ts';
export type { Sink, SinkWriter, SinkWriterContext } from '../connectors/sink.ts';
export type { TypeSerializer } from '../core/type-serializer.ts';
