import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CollectSink, FileSink, FileSource, GeneratorSource, PrintSink, WatermarkStrategy } from '../../../runtime/api/index.ts';
import type { ReaderOutput, SourceReader } from '../../../runtime/connectors/source.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-connectors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Polls a reader to the end, `max` records at a time, collecting the records. */
function drain<T>(reader: SourceReader<T>, max = 1000, limit = Number.POSITIVE_INFINITY): T[] {
  const out: T[] = [];
  const output: ReaderOutput<T> = { collect: (v) => void out.push(v) };
  while (out.length < limit && reader.pollNext(output, Math.min(max, limit - out.length)) !== 'end-of-input');
  return out;
}

describe('file source and file sink', () => {
  it('copies the lines of a directory of files at parallelism 2, publishing one part per subtask', async () => {
    const input = join(dir, 'in');
    const output = join(dir, 'out');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(input);
    const files = { 'a.txt': 'alpha\nbeta\n', 'b.txt': 'gamma\r\ndelta', 'c.txt': 'épsilon ✓\n\nzeta\n' };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(input, name), text);
    writeFileSync(join(input, '.hidden'), 'ignored\n');
    const env = localEnvironment().setParallelism(2);
    env
      .fromSource(new FileSource(input), WatermarkStrategy.noWatermarks(), 'Lines')
      .map((line: string) => line.toUpperCase())
      .sinkTo(new FileSink<string>(output));
    const result = await env.execute('copy');
    expect(readdirSync(output).sort()).toEqual(['part-0', 'part-1']);
    const lines = ['part-0', 'part-1'].flatMap((p) => readFileSync(join(output, p), 'utf8').split('\n').slice(0, -1));
    expect(lines.sort()).toEqual(['ALPHA', 'BETA', 'DELTA', 'GAMMA', 'ÉPSILON ✓', '', 'ZETA'].sort());
    expect(result.operator('Lines').recordsOut).toBe(7);
  });

  it('continues after a restored byte offset, across chunk boundaries and multi-byte characters', () => {
    const path = join(dir, 'long.txt');
    const long = 'ü'.repeat(70_000);
    const lines = ['first', long, 'third', 'fourth'];
    writeFileSync(path, lines.join('\n'));
    const source = new FileSource(path);
    const reader = source.createReader({ subtaskIndex: 0, parallelism: 1 }, undefined);
    expect(drain(reader, 1, 2)).toEqual(['first', long]);
    const state = reader.snapshotState(1);
    reader.close();
    expect(state).toEqual([{ path, offset: 6 + Buffer.byteLength(long) + 1 }]);
    const restored = source.createReader({ subtaskIndex: 0, parallelism: 1 }, state);
    expect(drain(restored)).toEqual(['third', 'fourth']);
    restored.close();
  });

  it('names the path it cannot read', () => {
    expect(() => new FileSource(join(dir, 'nope')).createReader({ subtaskIndex: 0, parallelism: 1 }, undefined)).toThrow(
      `file source: cannot read "${join(dir, 'nope')}": ENOENT`,
    );
  });
});

describe('generator source', () => {
  it('splits the sequence over subtasks and continues exactly from restored positions at another parallelism', () => {
    const source = new GeneratorSource({ count: 20, generate: (n) => n * 10 });
    const readers = [0, 1, 2].map((i) => source.createReader({ subtaskIndex: i, parallelism: 3 }, undefined));
    const first = readers.map((r) => drain(r, 2, 2));
    expect(first).toEqual([
      [0, 30],
      [10, 40],
      [20, 50],
    ]);
    const states = readers.flatMap((r) => r.snapshotState(1));
    const again = [0, 1].map((i) => source.createReader({ subtaskIndex: i, parallelism: 2 }, states.filter((_, j) => j % 2 === i)));
    const rest = again.flatMap((r) => drain(r));
    expect([...first.flat(), ...rest].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n * 10));
  });

  it('never runs ahead of its rate limit', async () => {
    const env = localEnvironment();
    const sink = new CollectSink<number>();
    env.fromSource(new GeneratorSource({ count: 60, recordsPerSecond: 400, generate: (n) => n }), WatermarkStrategy.noWatermarks(), 'Limited').sinkTo(sink);
    const started = Date.now();
    await env.execute('rate');
    // The 60th record is due 60/400 s = 150 ms after the start.
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(sink.values).toEqual(Array.from({ length: 60 }, (_, n) => n));
  });

  it('rejects invalid options', () => {
    expect(() => new GeneratorSource({ count: -1, generate: (n) => n })).toThrow('generator count must be a non-negative integer, got -1');
    expect(() => new GeneratorSource({ recordsPerSecond: 0, generate: (n) => n })).toThrow('generator recordsPerSecond must be > 0, got 0');
  });
});

describe('print sink', () => {
  it("prefixes lines with the subtask number when parallel, as Flink's print()", async () => {
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const env = localEnvironment().setParallelism(2);
    env.fromElements('x', 'y', 'z').rebalance().sinkTo(new PrintSink<string>('out', out));
    env.fromElements({ n: 1 }).sinkTo(new PrintSink<{ n: number }>('', out)).setParallelism(1);
    await env.execute('print');
    expect(text.trim().split('\n').sort()).toEqual(['out:1> x', 'out:1> z', 'out:2> y', '{"n":1}']);
  });
});
