import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileSourceReader } from '../../../../runtime/connectors/file-source-reader.ts';
import { fileSplits, type FileSourceSplit } from '../../../../runtime/connectors/file-source-split.ts';
import { CollectingReaderOutput, drain } from '../../../support/source-reader-driver.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-file-reader-');

/** A reader that counts its split requests. */
function reader() {
  const requests = { count: 0 };
  const r = new FileSourceReader({ subtaskIndex: 0, parallelism: 1, sendSplitRequest: () => void requests.count++, sendSourceEventToCoordinator() {} });
  return { reader: r, requests };
}

/** Every line of `splits`, each split read by a reader of its own, in split order. */
function readEach(splits: FileSourceSplit[]): string[] {
  return splits.flatMap((split) => {
    const { reader: r } = reader();
    r.addSplits([split]);
    r.notifyNoMoreSplits();
    const lines = drain(r, { max: 3 });
    r.close();
    return lines;
  });
}

describe('FileSourceReader', () => {
  const text = 'alpha\n\nbeta gamma\r\ndelta\nü✓ε\n\n\nlast line without newline';
  const lines = ['alpha', '', 'beta gamma', 'delta', 'ü✓ε', '', '', 'last line without newline'];

  it('reads every line exactly once whatever the split size, each split finishing the line it starts and skipping the one it starts in', () => {
    const path = join(tempDir(), 'lines.txt');
    writeFileSync(path, text);
    const size = Buffer.byteLength(text);
    for (let splitSize = 1; splitSize <= size + 1; splitSize++) {
      expect({ splitSize, lines: readEach(fileSplits(path, size, splitSize)) }).toEqual({ splitSize, lines });
    }
  });

  it('reads a file ending with a newline, and lines longer than its buffer across a split boundary', () => {
    const long = 'x'.repeat(200_000);
    const content = ['a', long, 'b', long + 'y', 'c'].join('\n') + '\n';
    const path = join(tempDir(), 'long.txt');
    writeFileSync(path, content);
    const size = Buffer.byteLength(content);
    expect(readEach(fileSplits(path, size, 65_536))).toEqual(['a', long, 'b', long + 'y', 'c']);
    expect(readEach(fileSplits(path, size, size))).toEqual(['a', long, 'b', long + 'y', 'c']);
  });

  it('snapshots the position of the next line and continues from it in another reader', () => {
    const path = join(tempDir(), 'restore.txt');
    writeFileSync(path, text);
    const size = Buffer.byteLength(text);
    const [first, second] = fileSplits(path, size, 12);
    const { reader: r } = reader();
    r.addSplits([first!, second!]);
    const output = new CollectingReaderOutput<string>();
    expect(r.pollNext(output, 3)).toBe('more-available');
    expect(output.values).toEqual(['alpha', '', 'beta gamma']);
    const state = r.snapshotState(1);
    // Split 1 (bytes 0-11) is done up to 'beta gamma\r\n' (it started in it), split 2 untouched.
    expect(state).toEqual([
      { ...first, position: 19 },
      { ...second, position: 12 },
    ]);
    r.close();
    const { reader: restored } = reader();
    restored.addSplits(state);
    restored.notifyNoMoreSplits();
    expect(drain(restored)).toEqual(['delta']);
  });

  it('asks for a split at start and whenever it ran out, once per answer, and ends only when told no more come', () => {
    const path = join(tempDir(), 'two.txt');
    writeFileSync(path, 'one\ntwo\n');
    const { reader: r, requests } = reader();
    r.start();
    expect(requests.count).toBe(1);
    const output = new CollectingReaderOutput<string>();
    expect(r.pollNext(output, 10)).toBe('nothing-available');
    expect(requests.count).toBe(1);
    r.addSplits(fileSplits(path, 8, 4));
    expect(r.pollNext(output, 10)).toBe('nothing-available');
    expect(output.values).toEqual(['one', 'two']);
    // Each split had an output of its own, released when it was finished.
    expect(output.records.map((x) => x.split)).toEqual([`${path}:0`, `${path}:4`]);
    expect(output.released).toEqual([`${path}:0`, `${path}:4`]);
    expect(requests.count).toBe(2);
    r.notifyNoMoreSplits();
    expect(r.pollNext(output, 10)).toBe('end-of-input');
  });

  it('fails with the path when a file is gone or shorter than its split', () => {
    const dir = tempDir();
    const { reader: r } = reader();
    r.addSplits([{ splitId: 'x', path: join(dir, 'gone.txt'), start: 0, end: 10, position: 0 }]);
    expect(() => r.pollNext(new CollectingReaderOutput(), 1)).toThrow(`file source: cannot read "${join(dir, 'gone.txt')}": ENOENT`);
    writeFileSync(join(dir, 'short.txt'), 'abc\n');
    const { reader: s } = reader();
    s.addSplits([{ splitId: 'y', path: join(dir, 'short.txt'), start: 0, end: 10, position: 0 }]);
    expect(() => s.pollNext(new CollectingReaderOutput(), 1)).toThrow(`file source: "${join(dir, 'short.txt')}" is 4 bytes now, shorter than its split 0-10`);
  });
});
