import { describe, expect, it } from '@jest/globals';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileSplits, type FileEnumeratorState, type FileSourceSplit } from '../../../../runtime/connectors/file-source-split.ts';
import { FileSplitEnumerator } from '../../../../runtime/connectors/file-split-enumerator.ts';
import type { SplitEnumeratorContext } from '../../../../runtime/connectors/split-enumerator-context.ts';
import { SourceCoordinator } from '../../../../runtime/cluster/source-coordinator.ts';
import { FileSource } from '../../../../runtime/connectors/file-source.ts';
import { waitUntil } from '../../../support/processes.ts';
import { tempDirs } from '../../../support/temp-dirs.ts';

const tempDir = tempDirs('sluice-file-enumerator-');

/**
 * A FileSplitEnumerator inside a real SourceCoordinator (its context), readers 0..n-1 registered;
 * what it sent each reader is recorded, splits decoded.
 */
function enumeratorOf(path: string, options: { splitSize: number; monitorInterval?: number; readers: number; state?: FileEnumeratorState }) {
  const sent: Array<[number, FileSourceSplit | 'no-more-splits']> = [];
  const failures: Error[] = [];
  let enumerator!: FileSplitEnumerator;
  const source = new FileSource(path, { splitSize: options.splitSize });
  const coordinator = new SourceCoordinator({
    // The enumerator under test is made by this source, with the options of the test.
    source: {
      ...source,
      boundedness: options.monitorInterval === undefined ? 'bounded' : 'continuous',
      splitSerializer: source.splitSerializer,
      enumeratorCheckpointSerializer: source.enumeratorCheckpointSerializer,
      createReader: () => {
        throw new Error('no readers here');
      },
      createEnumerator: (ctx: SplitEnumeratorContext<FileSourceSplit>) => (enumerator = new FileSplitEnumerator(ctx, { path, ...options }, options.state)),
      restoreEnumerator: () => {
        throw new Error('not restored here');
      },
    },
    name: 'Files',
    parallelism: options.readers,
    send: (subtask, event) => {
      if (event.kind === 'add-splits') for (const s of event.splits) sent.push([subtask, source.splitSerializer.deserialize(s.version, s.bytes)]);
      else if (event.kind === 'no-more-splits') sent.push([subtask, 'no-more-splits']);
    },
    fail: (e) => void failures.push(e),
  });
  for (let i = 0; i < options.readers; i++) coordinator.handleReaderEvent(i, { kind: 'reader-registered', restored: false });
  const request = (subtask: number) => coordinator.handleReaderEvent(subtask, { kind: 'split-request' });
  return { sent, failures, request, coordinator, enumerator: () => enumerator };
}

describe('FileSplitEnumerator', () => {
  it('divides the files of a directory (by name, not hidden ones) into byte ranges and hands them out one per request, then says no more', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b.txt'), 'x'.repeat(25));
    writeFileSync(join(dir, 'a.txt'), 'y'.repeat(10));
    writeFileSync(join(dir, '.hidden'), 'z');
    const { sent, request } = enumeratorOf(dir, { splitSize: 10, readers: 2 });
    // Asked before the listing finished: answered once it did.
    request(1);
    request(0);
    await waitUntil(() => sent.length === 2, 'the first answers');
    request(1);
    request(1);
    request(0);
    request(0);
    const a = fileSplits(join(dir, 'a.txt'), 10, 10);
    const b = fileSplits(join(dir, 'b.txt'), 25, 10);
    expect(b.map((s) => [s.start, s.end])).toEqual([
      [0, 10],
      [10, 20],
      [20, 25],
    ]);
    expect(sent).toEqual([
      [1, a[0]],
      [0, b[0]],
      [1, b[1]],
      [1, b[2]],
      [0, 'no-more-splits'],
      [0, 'no-more-splits'],
    ]);
  });

  it('checkpoints what it has not assigned and the files it listed; restored, it lists again but divides only new files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'y'.repeat(30));
    const first = enumeratorOf(dir, { splitSize: 10, readers: 1 });
    first.request(0);
    await waitUntil(() => first.sent.length === 1, 'the first split');
    const state = first.enumerator().snapshotState(1);
    const [, s1, s2] = fileSplits(join(dir, 'a.txt'), 30, 10);
    expect(state).toEqual({ pending: [s1, s2], seen: [join(dir, 'a.txt')] });

    writeFileSync(join(dir, 'b.txt'), 'x'.repeat(5));
    const restored = enumeratorOf(dir, { splitSize: 10, readers: 1, state });
    // A reader asks again once answered.
    for (let i = 1; i <= 4; i++) {
      restored.request(0);
      await waitUntil(() => restored.sent.length === i, `answer ${i}`);
    }
    expect(restored.sent).toEqual([[0, s1], [0, s2], [0, fileSplits(join(dir, 'b.txt'), 5, 10)[0]], [0, 'no-more-splits']]);
  });

  it('takes splits back first, and fails the job naming a path it cannot list', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'y'.repeat(20));
    const e = enumeratorOf(dir, { splitSize: 10, readers: 1 });
    e.request(0);
    await waitUntil(() => e.sent.length === 1, 'the first split');
    e.enumerator().addSplitsBack([e.sent[0]![1] as FileSourceSplit], 0);
    e.request(0);
    e.request(0);
    const [s0, s1] = fileSplits(join(dir, 'a.txt'), 20, 10);
    expect(e.sent).toEqual([[0, s0], [0, s0], [0, s1]]);

    const missing = enumeratorOf(join(dir, 'nope'), { splitSize: 10, readers: 1 });
    await waitUntil(() => missing.failures.length === 1, 'the listing failure');
    expect(missing.failures[0]!.message).toBe(`split enumerator of source "Files" failed: file source: cannot read "${join(dir, 'nope')}": ENOENT: no such file or directory, stat '${join(dir, 'nope')}'`);
  });

  it('monitoring a directory, gives a waiting reader the splits of a file that appears later and never says no more', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'in'));
    const e = enumeratorOf(join(dir, 'in'), { splitSize: 100, monitorInterval: 10, readers: 2 });
    e.request(0);
    e.request(1);
    writeFileSync(join(dir, 'later.txt'), 'hello\n');
    renameSync(join(dir, 'later.txt'), join(dir, 'in', 'later.txt'));
    await waitUntil(() => e.sent.length === 1, 'the new file to be assigned');
    expect(e.sent).toEqual([[0, fileSplits(join(dir, 'in', 'later.txt'), 6, 100)[0]]]);
    e.coordinator.close();
  });
});
