import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CollectSink, FileSink, FileSource, GeneratorSource, PrintSink, WatermarkStrategy } from '../../../runtime/api/index.ts';
import { fileSplits } from '../../../runtime/connectors/file-source-split.ts';
import type { SourceReaderContext } from '../../../runtime/connectors/source-reader.ts';
import { strideSplits } from '../../../runtime/connectors/stride-split.ts';
import { localEnvironment } from '../../../runtime/cluster/local-environment.ts';
import { drain } from '../../support/source-reader-driver.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-connectors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readerContext = (subtaskIndex = 0, parallelism = 1): SourceReaderContext => ({ subtaskIndex, parallelism, sendSplitRequest() {}, sendSourceEventToCoordinator() {} });

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

  it('continues after a restored line position, across chunk boundaries and multi-byte characters', () => {
    const path = join(dir, 'long.txt');
    const long = 'ü'.repeat(70_000);
    const lines = ['first', long, 'third', 'fourth'];
    writeFileSync(path, lines.join('\n'));
    const source = new FileSource(path);
    const reader = source.createReader(readerContext());
    const size = Buffer.byteLength(lines.join('\n'));
    reader.addSplits(fileSplits(path, size, size));
    reader.notifyNoMoreSplits();
    expect(drain(reader, { max: 1, limit: 2 })).toEqual(['first', long]);
    const state = reader.snapshotState(1);
    reader.close();
    expect(state).toEqual([{ splitId: `${path}:0`, path, start: 0, end: size, position: 6 + Buffer.byteLength(long) + 1 }]);
    const restored = source.createReader(readerContext());
    restored.addSplits(state);
    restored.notifyNoMoreSplits();
    expect(drain(restored)).toEqual(['third', 'fourth']);
    restored.close();
  });

  it('names the path it cannot read, failing the job', async () => {
    const env = localEnvironment();
    env.fromSource(new FileSource(join(dir, 'nope')), WatermarkStrategy.noWatermarks(), 'Lines').sinkTo(new CollectSink<string>());
    await expect(env.execute('missing')).rejects.toThrow(`split enumerator of source "Lines" failed: file source: cannot read "${join(dir, 'nope')}": ENOENT`);
  });
});

describe('generator source', () => {
  it('splits the sequence over subtasks and continues exactly from restored positions at another parallelism', () => {
    const source = new GeneratorSource({ count: 20, generate: (n) => n * 10 });
    const readers = strideSplits(3).map((split, i) => {
      const r = source.createReader(readerContext(i, 3));
      r.addSplits([split]);
      r.notifyNoMoreSplits();
      return r;
    });
    const first = readers.map((r) => drain(r, { max: 2, limit: 2 }));
    expect(first).toEqual([
      [0, 30],
      [10, 40],
      [20, 50],
    ]);
    const states = readers.flatMap((r) => r.snapshotState(1));
    const again = [0, 1].map((i) => {
      const r = source.createReader(readerContext(i, 2));
      r.addSplits(states.filter((_, j) => j % 2 === i));
      r.notifyNoMoreSplits();
      return r;
    });
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
