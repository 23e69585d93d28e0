import type { Key, KeySelector } from '../../runtime/functions/functions.ts';
import { OperatorOutput, type RecordTarget } from '../../runtime/operators/output.ts';
import type { StreamOperator } from '../../runtime/operators/stream-operator.ts';
import { keyGroupRangeFor } from '../../runtime/core/key-group.ts';
import { EMPTY_RESTORE, type OperatorStateRestore } from '../../runtime/state/state-snapshot.ts';
import type { ProcessingTimeService } from '../../runtime/core/processing-time-service.ts';

/** Drives one operator instance directly (no task), collecting what it emits. */
export interface Harness {
  readonly operator: StreamOperator;
  readonly output: unknown[];
}

/** Processing time that only moves when a test says so. */
export const manualTime: ProcessingTimeService = { now: () => 0, schedule: () => {} };

export function harness(
  operator: StreamOperator,
  opts: { keySelector?: KeySelector<unknown, Key>; subtaskIndex?: number; parallelism?: number; maxParallelism?: number; restore?: OperatorStateRestore },
): Harness {
  const output: unknown[] = [];
  const target: RecordTarget = { processElement: (v) => void output.push(v), processWatermark: () => {}, processIdle: () => {} };
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
    output: new OperatorOutput([{ target, blame: (e) => e as Error }], new Map()),
    time: manualTime,
  });
  operator.initializeState(opts.restore ?? EMPTY_RESTORE);
  operator.open();
  return { operator, output };
}
