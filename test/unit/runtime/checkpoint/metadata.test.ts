import { describe, expect, it } from '@jest/globals';
import { parseMetadata, referencedFiles, serializeMetadata, stateSize, type CheckpointMetadata } from '../../../../runtime/checkpoint/metadata.ts';

function metadata(): CheckpointMetadata {
  return {
    version: 1,
    checkpointId: 12,
    jobId: 'uid-7-2',
    kind: 'checkpoint',
    timestamp: 1_732_540_000_000,
    operators: {
      'keyed-sum': {
        parallelism: 2,
        maxParallelism: 4,
        subtasks: [
          {
            keyedState: { path: 'keyed-sum/0', size: 30, keyGroupRange: { start: 0, end: 1 }, offsets: [0, 10, 20] },
            operatorState: { path: 'keyed-sum/0', size: 30, states: { pending: { mode: 'split', offsets: [20, 25, 30] } } },
          },
          { keyedState: { path: 'keyed-sum/1', size: 5, keyGroupRange: { start: 2, end: 3 }, offsets: [0, 0, 5] } },
        ],
      },
      source: { parallelism: 1, maxParallelism: 4, subtasks: [{}] },
    },
  };
}

function problem(edit: (m: CheckpointMetadata) => void): string {
  const m = metadata();
  edit(m);
  try {
    parseMetadata(Buffer.from(JSON.stringify(m)));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the metadata to be rejected');
}

describe('checkpoint metadata', () => {
  it('round-trips through its JSON form', () => {
    expect(parseMetadata(serializeMetadata(metadata()))).toEqual(metadata());
  });

  it('lists every referenced file once, with its size', () => {
    expect([...referencedFiles(metadata())]).toEqual([
      ['keyed-sum/0', 30],
      ['keyed-sum/1', 5],
    ]);
  });

  it('sums the state files into the checkpoint size', () => {
    expect(stateSize(metadata())).toBe(35);
  });

  it('rejects what is not JSON or of another version', () => {
    const parseError = (() => {
      try {
        return JSON.parse('garbage') as never;
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(() => parseMetadata(Buffer.from('garbage'))).toThrow(`Checkpoint metadata is not JSON: ${parseError}`);
    expect(() => parseMetadata(Buffer.from('{"version":2}'))).toThrow('Checkpoint metadata version 2 is not supported (this build reads version 1)');
  });

  it('names schema violations by their place in the document', () => {
    expect(problem((m) => Object.assign(m, { extra: true }))).toBe('Invalid checkpoint metadata: document: unknown property "extra"');
    expect(problem((m) => Object.assign(m, { kind: 'snapshot' }))).toBe('Invalid checkpoint metadata: /kind: must be one of checkpoint, savepoint');
    expect(problem((m) => (m.operators['keyed-sum']!.subtasks[1]!.keyedState!.path = '../escape'))).toMatch(
      /^Invalid checkpoint metadata: \/operators\/keyed-sum\/subtasks\/1\/keyedState\/path: must match pattern/,
    );
  });

  it('checks that handles are consistent with parallelism, key groups and file sizes', () => {
    const prefix = 'Invalid checkpoint metadata: operator "keyed-sum"';
    expect(problem((m) => (m.operators['keyed-sum']!.maxParallelism = 1))).toBe(
      `${prefix}: parallelism 2 exceeds maxParallelism 1; operator "keyed-sum" subtask 0: key-group range 0-1 is not within 0-0; operator "keyed-sum" subtask 1: key-group range 2-3 is not within 0-0`,
    );
    expect(problem((m) => m.operators['keyed-sum']!.subtasks.pop())).toBe(`${prefix}: 1 subtask entries for parallelism 2`);
    expect(problem((m) => (m.operators['keyed-sum']!.subtasks[1]!.keyedState!.offsets = [0, 5]))).toBe(`${prefix} subtask 1: 2 key-group offsets for range 2-3 (expected 3)`);
    expect(problem((m) => (m.operators['keyed-sum']!.subtasks[1]!.keyedState!.offsets = [0, 5, 4]))).toBe(`${prefix} subtask 1 keyed state: offsets decrease at index 2`);
    expect(problem((m) => (m.operators['keyed-sum']!.subtasks[1]!.keyedState!.offsets = [0, 5, 6]))).toBe(`${prefix} subtask 1 keyed state: offset 6 lies beyond the file size 5`);
    expect(problem((m) => (m.operators['keyed-sum']!.subtasks[0]!.operatorState!.size = 31))).toBe(`${prefix} subtask 0: file "keyed-sum/0" recorded with sizes 30 and 31`);
    expect(problem((m) => (m.operators['keyed-sum']!.subtasks[1]!.keyedState!.keyGroupRange = { start: 1, end: 2 }))).toBe(`${prefix}: key-group ranges of subtasks 0 and 1 overlap`);
  });

  it('refuses to serialize invalid metadata', () => {
    const m = metadata();
    m.operators.source!.parallelism = 2;
    expect(() => serializeMetadata(m)).toThrow('Invalid checkpoint metadata: operator "source": 1 subtask entries for parallelism 2');
  });
});
