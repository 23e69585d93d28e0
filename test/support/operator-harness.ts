import type { Key, KeySelector } from '../../runtime/functions/functions.ts';
import { OperatorOutput, type RecordTarget } from '../../runtime/operators/output.ts';
import type { OneInputStreamOperator, StreamOperator } from '../../runtime/operators/stream-operator.ts';
import { keyGroupRangeFor } from '../../runtime/core/key-group.ts';
import { EMPTY_RESTORE, type OperatorStateRestore } from '../../runtime/state/state-snapshot.ts';
import type { ProcessingTimeService } from '../../runtime/core/processing-time-service.ts';

/** Drives one operator instance directly (no task), collecting what it emits. */
export interface Harness<O extends StreamOperator = OneInputStreamOperator> {
  readonly operator: O;
  readonly output: unknown[];
  /** Timestamps of the emitted records, in the order of `output`. */
  readonly timestamps: number[];
  /** Watermarks the operator emitted. */
  readonly watermarks: number[];
  /** What the operator emitted to each side output named in `sideOutputs`, as `[value, timestamp]`. */
  readonly sides: ReadonlyMap<string, Array<[unknown, number]>>;
}

/** Processing time that only moves when a test says so. */
export const manualTime: ProcessingTimeService = { now: () => 0, schedule: () => {} };

export function harness<O extends StreamOperator = OneInputStreamOperator>(
  operator: O,
  opts: { keySelector?: KeySelector<unknown, Key>; keySelector2?: KeySelector<unknown, Key>; time?: ProcessingTimeService; subtaskIndex?: number; parallelism?: number; maxParallelism?: number; restore?: OperatorStateRestore; sideOutputs?: readonly string[] },
): Harness<O> {
  const output: unknown[] = [];
  const timestamps: number[] = [];
  const watermarks: number[] = [];
  const target: RecordTarget = {
    processElement: (v, ts) => {
      output.push(v);
      timestamps.push(ts);
    },
    processWatermark: (ts) => void watermarks.push(ts),
    processIdle: () => {},
  };
  const sides = new Map((opts.sideOutputs ?? []).map((id) => [id, [] as Array<[unknown, number]>]));
  const parallelism = opts.parallelism ?? 1;
  const subtaskIndex = opts.subtaskIndex ?? 0;
  const maxParallelism = opts.maxParallelism ?? 128;
  operator.setup({
    operatorId: 'op-under-test',
    name: 'Under Test',
    uid: undefined,
    taskName: 'test',
    subtaskIndex,
    parallelism,
    maxParallelism,
    attemptNumber: 0,
    checkpointing: false,
    keyGroupRange: keyGroupRangeFor(maxParallelism, parallelism, subtaskIndex),
    keySelector: opts.keySelector,
    keySelector2: opts.keySelector2,
    output: new OperatorOutput([{ target, blame: (e) => e as Error }], new Map([...sides].map(([id, records]) => [id, [{ target: collecting(records), blame: (e: unknown) => e as Error }]]))),
    time: opts.time ?? manualTime,
  });
  operator.initializeState(opts.restore ?? EMPTY_RESTORE);
  operator.open();
  return { operator, output, timestamps, watermarks, sides };
}

function collecting(records: Array<[unknown, number]>): RecordTarget {
  return { processElement: (v, ts) => void records.push([v, ts]), processWatermark: () => {}, processIdle: () => {} };
}
