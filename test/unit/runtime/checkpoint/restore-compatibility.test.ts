import { describe, expect, it } from '@jest/globals';
import { StreamExecutionEnvironment } from '../../../../runtime/api/stream-execution-environment.ts';
import { GeneratorSource } from '../../../../runtime/connectors/generator-source.ts';
import { WatermarkStrategy } from '../../../../runtime/functions/watermark-strategy.ts';
import type { CheckpointMetadata, OperatorState } from '../../../../runtime/checkpoint/metadata.ts';
import { restoreProblems, upgradePlan } from '../../../../runtime/checkpoint/restore-compatibility.ts';
import { operatorIdFromUid } from '../../../../runtime/graph/operator-id.ts';

const URI = 's3://checkpoints/sluice/ns/job/run-1/checkpoints/chk-7';

/** numbers (uid "numbers") -> keyBy -> sum (uid `sumsUid`, or not keyed: a map) at maxParallelism `maxParallelism`. */
function graph({ sumsUid = 'sums', keyed = true, maxParallelism = 128 } = {}) {
  const env = new StreamExecutionEnvironment().setParallelism(2).setMaxParallelism(maxParallelism);
  const numbers = env.fromSource(new GeneratorSource({ count: 10, generate: (n: number) => n }), WatermarkStrategy.noWatermarks<number>(), 'Numbers').uid('numbers');
  const pairs = numbers.map((n): [number, number] => [n % 4, 1]);
  (keyed ? pairs.keyBy(([k]) => k).sum(1) : pairs.map((p) => p)).uid(sumsUid).print();
  return env.getJobGraph('counting');
}

const keyedState = (start: number, end: number): OperatorState['subtasks'][number] => ({
  keyedState: { path: `sums/${start}`, size: 10, keyGroupRange: { start, end }, offsets: Array.from({ length: end - start + 2 }, () => 0) },
});
function checkpoint(operators: Record<string, OperatorState>): { uri: string; checkpointId: number; metadata: CheckpointMetadata } {
  return { uri: URI, checkpointId: 7, metadata: { version: 1, checkpointId: 7, jobId: 'run-1', kind: 'checkpoint', timestamp: 1, operators } };
}
const sums = (uid: string | undefined, maxParallelism = 128): OperatorState => ({
  parallelism: 2,
  maxParallelism,
  ...(uid === undefined ? {} : { uid }),
  name: 'Keyed Reduce',
  keyed: true,
  subtasks: [keyedState(0, maxParallelism / 2 - 1), keyedState(maxParallelism / 2, maxParallelism - 1)],
});
const numbers: OperatorState = {
  parallelism: 2,
  maxParallelism: 128,
  uid: 'numbers',
  subtasks: [{ operatorState: { path: 'numbers/0', size: 4, states: { splits: { mode: 'split', offsets: [0, 4] } } } }, {}],
};
const SUMS = operatorIdFromUid('sums');
const NUMBERS = operatorIdFromUid('numbers');

describe('restoreProblems', () => {
  it('finds none when every operator with state is in the job, keyed alike, with the same maxParallelism', () => {
    expect(restoreProblems(checkpoint({ [NUMBERS]: numbers, [SUMS]: sums('sums') }), graph())).toEqual([]);
  });

  it('ignores operators of the checkpoint without state', () => {
    expect(restoreProblems(checkpoint({ [NUMBERS]: numbers, [operatorIdFromUid('gone')]: { parallelism: 1, maxParallelism: 128, uid: 'gone', subtasks: [{}] } }), graph())).toEqual([]);
  });

  it('names the uid whose state no operator of the job would restore', () => {
    expect(restoreProblems(checkpoint({ [NUMBERS]: numbers, [SUMS]: sums('sums') }), graph({ sumsUid: 'totals' }))).toEqual([
      { kind: 'state-dropped', operatorId: SUMS, uid: 'sums', message: `operator uid "sums" has state in ${URI} but no operator of the new job has that uid` },
    ]);
  });

  it('names the operator id and name when the metadata recorded no uid', () => {
    expect(restoreProblems(checkpoint({ abc: sums(undefined) }), graph())).toEqual([
      { kind: 'state-dropped', operatorId: 'abc', message: `operator "abc" (Keyed Reduce) has state in ${URI} but no operator of the new job has that id (give stateful operators stable ids with .uid())` },
    ]);
  });

  it('refuses keyed state of another maxParallelism, and keyed state of an operator no longer keyed', () => {
    expect(restoreProblems(checkpoint({ [SUMS]: sums('sums') }), graph({ maxParallelism: 64 }))).toEqual([
      {
        kind: 'max-parallelism-changed',
        operatorId: SUMS,
        uid: 'sums',
        message: `operator uid "sums" has keyed state in ${URI} for maxParallelism 128, the new job has 64; maxParallelism must not change`,
      },
    ]);
    expect(restoreProblems(checkpoint({ [SUMS]: sums('sums') }), graph({ keyed: false }))).toEqual([
      { kind: 'key-removed', operatorId: SUMS, uid: 'sums', message: `operator uid "sums" has keyed state in ${URI} but runs on a stream that is not keyed in the new job` },
    ]);
  });
});

describe('upgradePlan', () => {
  it('is safe without state to restore', () => {
    expect(upgradePlan(graph(), undefined)).toEqual({ safe: true, problems: [], summary: 'no checkpoint or savepoint to restore: the job starts with empty state' });
  });

  it('is unsafe with any problem, summarised by the first', () => {
    const plan = upgradePlan(graph({ sumsUid: 'totals' }), checkpoint({ [NUMBERS]: numbers, [SUMS]: sums('sums') }));
    expect(plan).toMatchObject({ safe: false, restorePoint: URI, checkpointId: 7, summary: `operator uid "sums" has state in ${URI} but no operator of the new job has that uid` });
    expect(plan.problems).toHaveLength(1);
  });
});
