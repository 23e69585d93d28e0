// The `_metadata` file: what a completed checkpoint or savepoint holds and where each subtask's state
// lies. Writing it last is what completes a checkpoint. JSON, versioned; the schema below is the
// format's definition and the TypeScript types derive from it.
import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';

export const METADATA_VERSION = 1;

/** A string enum as JSON Schema `enum`, which validates with one clear error instead of one per member. */
function StringEnum<const T extends readonly string[]>(values: T) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: values });
}

/** Inclusive range of key groups, as runtime/state's KeyGroupRange. */
export const KeyGroupRangeSchema = Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

const Offsets = Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 });
const RelativePath = Type.String({ minLength: 1, pattern: '^(?!/)(?!.*(^|/)\\.{1,2}(/|$))(?!.*//).*[^/]$' });

/**
 * Keyed state of one subtask: the bytes of key group `keyGroupRange.start + i` are
 * [offsets[i], offsets[i + 1]) of the file, so `offsets` has one entry more than the range has groups.
 */
export const KeyedStateHandleSchema = Type.Object(
  { path: RelativePath, size: Type.Integer({ minimum: 0 }), keyGroupRange: KeyGroupRangeSchema, offsets: Offsets },
  { additionalProperties: false },
);

/**
 * How an operator (list) state is redistributed on restore, as in Flink: `split` deals the entries
 * of all subtasks out among the new ones, `union` gives every new subtask all entries, `broadcast`
 * gives every new subtask the entries of old subtask 0 (all old subtasks hold the same).
 */
export const DistributionModeSchema = StringEnum(['split', 'union', 'broadcast']);

/** One named list state: entry i is bytes [offsets[i], offsets[i + 1]) of the file. */
export const ListStateOffsetsSchema = Type.Object({ mode: DistributionModeSchema, offsets: Offsets }, { additionalProperties: false });

export const OperatorStateHandleSchema = Type.Object(
  { path: RelativePath, size: Type.Integer({ minimum: 0 }), states: Type.Record(Type.String({ minLength: 1 }), ListStateOffsetsSchema) },
  { additionalProperties: false },
);

export const OperatorSubtaskStateSchema = Type.Object(
  { keyedState: Type.Optional(KeyedStateHandleSchema), operatorState: Type.Optional(OperatorStateHandleSchema) },
  { additionalProperties: false },
);

/**
 * One operator's state in a checkpoint (Flink's OperatorState): `subtasks[i]` is subtask i's, exactly
 * `parallelism` entries. `uid` (the operator's `.uid()`, when it had one), `name` and `keyed` (it ran
 * on a keyed stream) are recorded for people and for `sluice plan`, which names what an upgrade would
 * drop; metadata written before they were recorded lacks them.
 */
export const OperatorStateSchema = Type.Object(
  {
    parallelism: Type.Integer({ minimum: 1 }),
    maxParallelism: Type.Integer({ minimum: 1 }),
    uid: Type.Optional(Type.String({ minLength: 1 })),
    name: Type.Optional(Type.String()),
    keyed: Type.Optional(Type.Boolean()),
    subtasks: Type.Array(OperatorSubtaskStateSchema),
  },
  { additionalProperties: false },
);

export const CheckpointMetadataSchema = Type.Object(
  {
    version: Type.Literal(METADATA_VERSION),
    checkpointId: Type.Integer({ minimum: 0 }),
    jobId: Type.String({ minLength: 1 }),
    kind: StringEnum(['checkpoint', 'savepoint']),
    /** When the checkpoint was triggered, epoch milliseconds. */
    timestamp: Type.Integer({ minimum: 0 }),
    /** By operator id. */
    operators: Type.Record(Type.String({ minLength: 1 }), OperatorStateSchema),
  },
  { additionalProperties: false },
);

export type KeyGroupRange = Static<typeof KeyGroupRangeSchema>;
export type KeyedStateHandle = Static<typeof KeyedStateHandleSchema>;
export type DistributionMode = Static<typeof DistributionModeSchema>;
export type ListStateOffsets = Static<typeof ListStateOffsetsSchema>;
export type OperatorStateHandle = Static<typeof OperatorStateHandleSchema>;
export type OperatorSubtaskState = Static<typeof OperatorSubtaskStateSchema>;
export type OperatorState = Static<typeof OperatorStateSchema>;
export type CheckpointMetadata = Static<typeof CheckpointMetadataSchema>;
export type CheckpointKind = CheckpointMetadata['kind'];

export class MetadataError extends Error {
  override readonly name = 'MetadataError';
}

const validate = new Ajv({ allErrors: true }).compile<CheckpointMetadata>(CheckpointMetadataSchema);

export function serializeMetadata(metadata: CheckpointMetadata): Buffer {
  const problems = metadataProblems(metadata);
  if (problems.length > 0) throw new MetadataError(`Invalid checkpoint metadata: ${problems.join('; ')}`);
  return Buffer.from(JSON.stringify(metadata));
}

export function parseMetadata(bytes: Uint8Array): CheckpointMetadata {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new MetadataError(`Checkpoint metadata is not JSON: ${(error as Error).message}`);
  }
  const version = (value as { version?: unknown } | null)?.version;
  if (version !== METADATA_VERSION && typeof version === 'number') {
    throw new MetadataError(`Checkpoint metadata version ${version} is not supported (this build reads version ${METADATA_VERSION})`);
  }
  const problems = metadataProblems(value);
  if (problems.length > 0) throw new MetadataError(`Invalid checkpoint metadata: ${problems.join('; ')}`);
  return value as CheckpointMetadata;
}

/** Every state file the metadata references, with its recorded size. */
export function referencedFiles(metadata: CheckpointMetadata): Map<string, number> {
  const files = new Map<string, number>();
  for (const operator of Object.values(metadata.operators)) {
    for (const subtask of operator.subtasks) {
      for (const handle of [subtask.keyedState, subtask.operatorState]) {
        if (handle) files.set(handle.path, handle.size);
      }
    }
  }
  return files;
}

/** Bytes of state a checkpoint holds: the sum of its state files (for history, REST and metrics). */
export function stateSize(metadata: CheckpointMetadata): number {
  let total = 0;
  for (const size of referencedFiles(metadata).values()) total += size;
  return total;
}

/** Schema violations first; only a well-formed document is checked for consistency. */
function metadataProblems(value: unknown): string[] {
  if (!validate(value)) return (validate.errors ?? []).map(describeSchemaError);
  const problems: string[] = [];
  const sizes = new Map<string, number>();
  for (const [operatorId, operator] of Object.entries(value.operators)) {
    const where = `operator "${operatorId}"`;
    if (operator.parallelism > operator.maxParallelism) {
      problems.push(`${where}: parallelism ${operator.parallelism} exceeds maxParallelism ${operator.maxParallelism}`);
    }
    if (operator.subtasks.length !== operator.parallelism) {
      problems.push(`${where}: ${operator.subtasks.length} subtask entries for parallelism ${operator.parallelism}`);
    }
    const ranges: Array<{ subtask: number; range: KeyGroupRange }> = [];
    operator.subtasks.forEach((subtask, index) => {
      const at = `${where} subtask ${index}`;
      const keyed = subtask.keyedState;
      if (keyed) {
        const { start, end } = keyed.keyGroupRange;
        if (start > end || end >= operator.maxParallelism) {
          problems.push(`${at}: key-group range ${start}-${end} is not within 0-${operator.maxParallelism - 1}`);
        } else if (keyed.offsets.length !== end - start + 2) {
          problems.push(`${at}: ${keyed.offsets.length} key-group offsets for range ${start}-${end} (expected ${end - start + 2})`);
        } else {
          ranges.push({ subtask: index, range: keyed.keyGroupRange });
        }
        problems.push(...offsetProblems(`${at} keyed state`, keyed.offsets, keyed.size));
      }
      const operatorState = subtask.operatorState;
      if (operatorState) {
        for (const [name, list] of Object.entries(operatorState.states)) {
          problems.push(...offsetProblems(`${at} operator state "${name}"`, list.offsets, operatorState.size));
        }
      }
      for (const handle of [keyed, operatorState]) {
        if (!handle) continue;
        const known = sizes.get(handle.path);
        if (known !== undefined && known !== handle.size) {
          problems.push(`${at}: file "${handle.path}" recorded with sizes ${known} and ${handle.size}`);
        }
        sizes.set(handle.path, handle.size);
      }
    });
    ranges.sort((a, b) => a.range.start - b.range.start);
    for (let i = 1; i < ranges.length; i++) {
      const previous = ranges[i - 1]!;
      const current = ranges[i]!;
      if (current.range.start <= previous.range.end) {
        problems.push(`${where}: key-group ranges of subtasks ${previous.subtask} and ${current.subtask} overlap`);
      }
    }
  }
  return problems;
}

function offsetProblems(what: string, offsets: number[], size: number): string[] {
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!) return [`${what}: offsets decrease at index ${i}`];
  }
  const last = offsets[offsets.length - 1]!;
  return last > size ? [`${what}: offset ${last} lies beyond the file size ${size}`] : [];
}

function describeSchemaError(error: ErrorObject): string {
  const at = error.instancePath === '' ? 'document' : error.instancePath;
  if (error.keyword === 'additionalProperties') return `${at}: unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  if (error.keyword === 'enum') return `${at}: must be one of ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')}`;
  if (error.keyword === 'required') return `${at}: missing property "${(error.params as { missingProperty: string }).missingProperty}"`;
  return `${at}: ${error.message ?? error.keyword}`;
}
