import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TaskDeploymentDescriptor } from '../task/task-deployment-descriptor.ts';
import type { CoordinatorEvent, ReaderEvent } from '../operators/source-operator-event.ts';

/**
 * The control plane between a JobManager and its TaskManagers: every message as a typebox schema,
 * which is both the TypeScript type and the check applied to every frame received. Messages about
 * tasks carry the JobManager's session id and the job's attempt number; a receiver ignores (and
 * logs) those of another session or an older attempt, so a late message never touches a newer run.
 */

const Id = Type.String({ minLength: 1 });
const Index = Type.Integer({ minimum: 0 });
const Fenced = { sessionId: Id, attempt: Index };

const KeyGroupRange = Type.Object({ start: Index, end: Index });

/** Checked field by field: a TaskManager deploys nothing it cannot read. */
const Descriptor = Type.Unsafe<TaskDeploymentDescriptor>(
  Type.Object({
    jobId: Id,
    vertexId: Id,
    subtaskIndex: Index,
    attemptNumber: Index,
    parallelism: Type.Integer({ minimum: 1 }),
    maxParallelism: Type.Integer({ minimum: 1 }),
    keyGroupRange: KeyGroupRange,
    inputs: Type.Array(Type.Object({ channelId: Index, edgeId: Id, sourceSubtask: Index, inputIndex: Type.Union([Type.Literal(0), Type.Literal(1)]) })),
    outputs: Type.Array(
      Type.Object({
        edgeId: Id,
        channels: Type.Array(Type.Object({ channelId: Index, targetSubtask: Index, location: Type.Optional(Id) })),
      }),
    ),
  }),
);

export const OperatorCountersSchema = Type.Object({ operatorId: Id, recordsIn: Index, recordsOut: Index });

/** What a TaskManager reports about one running or finished subtask. */
export const SubtaskReportSchema = Type.Object({
  vertexId: Id,
  subtaskIndex: Index,
  operators: Type.Array(OperatorCountersSchema),
  bytesIn: Index,
  bytesOut: Index,
  /** Encoded bytes waiting for credit in this subtask's output channels. */
  queuedBytes: Index,
  backpressureRatio: Type.Number({ minimum: 0, maximum: 1 }),
});
export type SubtaskReport = Static<typeof SubtaskReportSchema>;

export const TaskErrorSchema = Type.Object({ name: Type.String(), message: Type.String(), stack: Type.String() });
export type TaskError = Static<typeof TaskErrorSchema>;

const VersionedBytes = Type.Object({ version: Index, bytes: Type.Uint8Array() });

/** A source reader's event for its coordinator (operators/source-operator-event.ts). */
const ReaderEventSchema = Type.Unsafe<ReaderEvent>(
  Type.Union([
    Type.Object({ kind: Type.Literal('reader-registered'), restored: Type.Boolean(), restoredEnumerator: Type.Optional(VersionedBytes) }),
    Type.Object({ kind: Type.Literal('split-request') }),
    Type.Object({ kind: Type.Literal('source-event'), event: Type.Unknown() }),
  ]),
);

/** A source coordinator's event for one of its readers. */
const CoordinatorEventSchema = Type.Unsafe<CoordinatorEvent>(
  Type.Union([
    Type.Object({ kind: Type.Literal('add-splits'), splits: Type.Array(VersionedBytes) }),
    Type.Object({ kind: Type.Literal('no-more-splits') }),
    Type.Object({ kind: Type.Literal('source-event'), event: Type.Unknown() }),
    Type.Object({ kind: Type.Literal('enumerator-checkpoint'), checkpointId: Index, state: VersionedBytes }),
  ]),
);

const Message = <K extends string, T extends Parameters<typeof Type.Object>[0]>(type: K, properties: T) =>
  Type.Object({ type: Type.Literal(type), ...properties });

// TaskManager -> JobManager
const Register = Message('register', { taskManagerId: Id, jobId: Id, dataAddress: Id, slots: Type.Integer({ minimum: 1 }) });
const TaskManagerHeartbeat = Message('tm-heartbeat', {
  ...Fenced,
  tasks: Type.Array(SubtaskReportSchema),
  /** Bytes the data plane holds for sending (encoded batches waiting for credit or the socket). */
  sendBufferedBytes: Index,
});
const AttemptReady = Message('attempt-ready', Fenced);
const TaskStateUpdate = Message('task-state', {
  ...Fenced,
  vertexId: Id,
  subtaskIndex: Index,
  /** ENDED: end of input reached with checkpointing; the subtask takes checkpoints directly until the final one. */
  state: Type.Union([Type.Literal('RUNNING'), Type.Literal('ENDED'), Type.Literal('FINISHED'), Type.Literal('FAILED'), Type.Literal('CANCELED')]),
  error: Type.Optional(TaskErrorSchema),
  report: Type.Optional(SubtaskReportSchema),
});
const CheckpointAck = Message('checkpoint-ack', {
  ...Fenced,
  vertexId: Id,
  subtaskIndex: Index,
  checkpointId: Index,
  /** The subtask's state as the TaskManager-side checkpoint hook made it (handles or inline snapshots). */
  state: Type.Unknown(),
});
/** From a source subtask to its source's coordinator in the JobManager. */
const ReaderEventMessage = Message('reader-event', { ...Fenced, vertexId: Id, subtaskIndex: Index, event: ReaderEventSchema });
const CheckpointDecline = Message('checkpoint-decline', { ...Fenced, vertexId: Id, subtaskIndex: Index, checkpointId: Index, reason: Type.String() });

// JobManager -> TaskManager
const Registered = Message('registered', { sessionId: Id, heartbeatInterval: Index, heartbeatTimeout: Index });
const Refused = Message('refused', { reason: Type.String() });
const JobManagerHeartbeat = Message('jm-heartbeat', { sessionId: Id });
/** Cancel every task of older attempts and fence the data plane to `attempt`; answered by attempt-ready. */
const PrepareAttempt = Message('prepare-attempt', Fenced);
const DeployTask = Message('deploy', {
  ...Fenced,
  descriptor: Descriptor,
  /** Data-plane address of each remote input channel's producer, by channel id; local ones are absent. */
  producers: Type.Record(Type.String(), Id),
  /** What the JobManager-side checkpoint hook gives the subtask to restore from; absent: empty state. */
  restore: Type.Optional(Type.Unknown()),
});
const CancelTasks = Message('cancel', Fenced);
/** From a source's coordinator to one of its subtasks, handled in the order sent. */
const CoordinatorEventMessage = Message('coordinator-event', { ...Fenced, vertexId: Id, subtaskIndex: Index, event: CoordinatorEventSchema });
/** At a running source: snapshot and barrier; at an ENDED subtask: snapshot only. */
const TriggerCheckpoint = Message('trigger-checkpoint', {
  ...Fenced,
  vertexId: Id,
  subtaskIndex: Index,
  checkpointId: Index,
  timestamp: Index,
  savepoint: Type.Boolean(),
  /** Stop-with-savepoint: the source emits nothing after this barrier. */
  stop: Type.Optional(Type.Boolean()),
});
const NotifyCheckpointComplete = Message('checkpoint-complete', {
  ...Fenced,
  checkpointId: Index,
  /** The job's final checkpoint (or a stop-with-savepoint): the subtasks exit FINISHED after it. */
  final: Type.Optional(Type.Boolean()),
});
/** A stop-with-savepoint that failed: its stopped sources emit again. */
const NotifyCheckpointAborted = Message('checkpoint-aborted', { ...Fenced, checkpointId: Index });

export const RpcMessageSchema = Type.Union([
  Register,
  TaskManagerHeartbeat,
  AttemptReady,
  TaskStateUpdate,
  CheckpointAck,
  CheckpointDecline,
  ReaderEventMessage,
  Registered,
  Refused,
  JobManagerHeartbeat,
  PrepareAttempt,
  DeployTask,
  CancelTasks,
  CoordinatorEventMessage,
  TriggerCheckpoint,
  NotifyCheckpointComplete,
  NotifyCheckpointAborted,
]);

export type RpcMessage = Static<typeof RpcMessageSchema>;
export type RpcMessageOf<K extends RpcMessage['type']> = Extract<RpcMessage, { type: K }>;
export type TaskManagerMessage = RpcMessageOf<'register' | 'tm-heartbeat' | 'attempt-ready' | 'task-state' | 'checkpoint-ack' | 'checkpoint-decline' | 'reader-event'>;
export type JobManagerMessage = RpcMessageOf<
  'registered' | 'refused' | 'jm-heartbeat' | 'prepare-attempt' | 'deploy' | 'cancel' | 'coordinator-event' | 'trigger-checkpoint' | 'checkpoint-complete' | 'checkpoint-aborted'
>;

const checker = TypeCompiler.Compile(RpcMessageSchema);
const TYPES = new Set(RpcMessageSchema.anyOf.map((s) => s.properties.type.const as string));

/** The message a decoded frame holds, or an error naming what is wrong with it. */
export function checkRpcMessage(value: unknown): RpcMessage {
  if (checker.Check(value)) return value;
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected a message object, got ${describe(value)}`);
  if (typeof type !== 'string' || !TYPES.has(type)) throw new Error(`unknown message type ${JSON.stringify(type)}`);
  const variant = RpcMessageSchema.anyOf.find((s) => s.properties.type.const === type)!;
  const first = TypeCompiler.Compile(variant).Errors(value).First();
  throw new Error(`invalid "${type}" message: ${first ? `${first.path || '/'} ${first.message}` : 'does not match its schema'}`);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
