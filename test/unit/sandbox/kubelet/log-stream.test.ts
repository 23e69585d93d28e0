import { describe, it, expect, afterAll } from '@jest/globals';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logStream, tailOffset } from '../../../../sandbox/kubelet/log-stream.ts';

async function collect(stream: NodeJS.ReadableStream, onData?: (text: string) => void): Promise<string> {
  let out = '';
  for await (const chunk of stream) {
    out += chunk.toString();
    onData?.(out);
  }
  return out;
}

describe('container log stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds where the last N lines start', () => {
    const text = Buffer.from('a\nbb\nccc\n');
    expect(text.subarray(tailOffset(text, 2)).toString()).toBe('bb\nccc\n');
    expect(text.subarray(tailOffset(text, 5)).toString()).toBe('a\nbb\nccc\n');
    expect(text.subarray(tailOffset(text, 0)).toString()).toBe('');
    expect(Buffer.from('x\ny').subarray(tailOffset(Buffer.from('x\ny'), 1)).toString()).toBe('y');
  });

  it('serves the tail, then follows appended output until the writer is done', async () => {
    const path = join(dir, '0.log');
    writeFileSync(path, 'one\ntwo\nthree\n');
    let live = true;
    const stream = await logStream({ path, live: () => live }, { follow: true, tailLines: 1 });
    const text = await collect(stream, (sofar) => {
      if (sofar === 'three\n') appendFileSync(path, 'four\n');
      if (sofar === 'three\nfour\n') {
        appendFileSync(path, 'five\n');
        live = false;
      }
    });
    expect(text).toBe('three\nfour\nfive\n');
  });

  it('honours limitBytes', async () => {
    const path = join(dir, '1.log');
    writeFileSync(path, 'abcdef\n');
    expect(await collect(await logStream({ path, live: () => false }, { follow: false, limitBytes: 3 }))).toBe('abc');
  });
});
